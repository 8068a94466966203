import BridgeCore
import BridgeICE
import BridgeSTUN
import FuzzerDriver

/// A datagram as the shared port sees it: STUN parse, the integrity and fingerprint checks, the typed
/// attribute reads, and the ICE-lite agent's whole check path. A trap or sanitizer report is a finding, and
/// so is an agent that answers a check whose integrity did not verify.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? STUNMessage(parsing: bytes) else { return 0 }
    _ = (message.username, message.software, message.priority, message.xorMappedAddress, message.errorCode,
         message.iceControlling, message.iceControlled, message.unknownRequiredAttributes)
    let key = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
    let integrityHolds = STUNIntegrity.hasValidIntegrity(message, key: key)
    _ = STUNIntegrity.hasValidFingerprint(message)
    var agent = ICELiteAgent(local: .init(ufrag: "evtj", pwd: "VOkJxbRl1RmTxUk/WvJxBt"), remote: nil, now: .zero)
    let source = TransportAddress(ipv4: 192, 0, 2, 1, port: 5000)
    if case .respond = agent.handleSTUN(message, from: source, now: .zero), !integrityHolds {
        fatalError("the agent answered a check whose integrity did not verify")
    }
    return 0
}

@_cdecl("STUNFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzz)
}
