import BridgeCore
import BridgeICE
import BridgeSTUN

/// A datagram as the shared port sees it: STUN parse, the integrity and fingerprint checks, the typed
/// attribute reads, and the ICE-lite agent's whole check path. An agent that answers a check whose
/// integrity did not verify is a finding.
public enum STUNFuzzEntry {
    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        guard let message = try? STUNMessage(parsing: bytes) else { return findings }
        _ = (message.username, message.software, message.priority, message.xorMappedAddress, message.errorCode,
             message.iceControlling, message.iceControlled, message.unknownRequiredAttributes)
        let key = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
        let integrityHolds = STUNIntegrity.hasValidIntegrity(message, key: key)
        _ = STUNIntegrity.hasValidFingerprint(message)
        var agent = ICELiteAgent(local: .init(ufrag: "evtj", pwd: "VOkJxbRl1RmTxUk/WvJxBt"), remote: nil, now: .zero)
        let source = TransportAddress(ipv4: 192, 0, 2, 1, port: 5000)
        if case .respond = agent.handleSTUN(message, from: source, now: .zero) {
            findings.check(integrityHolds, "the agent answered a check whose integrity did not verify")
        }
        return findings
    }
}
