import BridgeCore
import BridgeGateway
import Foundation

/// What an operator's config and a call page's browser hand the gateway. The first byte picks the target,
/// the rest is text:
///
/// 0 the YAML config loader (every file readable, no environment); 1 a dial template (first line) and a
/// typed number (second); 2 a CIDR network (first line) and addresses (the other lines); 3 a URI pattern
/// (first line) and URIs; 4 a call page message (JSON).
///
/// A network that does not read back from its own description or leaves out its own address, a valid dial
/// template that dials nothing for `1`, an ASCII pattern that does not match itself without its stars, or a
/// call message that changes through JSON is a finding.
public enum ConfigFuzzEntry {
    public static let targetCount = 5

    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        guard let target = bytes.first else { return findings }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(64).map(String.init)
        switch Int(target) % targetCount {
        case 0:
            let loader = ConfigLoader(environment: [:], isReadableFile: { _ in true })
            _ = try? loader.parse(yaml: text, path: "fuzz.yaml")
        case 1:
            guard let template = DialTemplate(lines[0]) else { break }
            findings.check(template.uri(for: "1") != nil, "dial template \(template) dials nothing for 1")
            if lines.count > 1 { _ = template.uri(for: lines[1]) }
        case 2:
            guard let network = IPNetwork(parsing: lines[0]) else { break }
            findings.check(IPNetwork(parsing: network.description) == network, "network \(network) does not read back")
            if let own = TransportAddress(addressBytes: network.addressBytes, port: 0) {
                findings.check(network.contains(own), "network \(network) leaves out its own address")
            }
            for line in lines.dropFirst() {
                if let address = TransportAddress(line, port: 5060) { _ = network.contains(address) }
            }
        case 3:
            guard let pattern = URIPattern(lines[0]) else { break }
            if lines[0].allSatisfy(\.isASCII) {
                let plain = lines[0].replacingOccurrences(of: "*", with: "")
                findings.check(pattern.matches(plain), "pattern \(pattern) does not match \(plain)")
            }
            for line in lines.dropFirst() { _ = pattern.matches(line) }
        default:
            guard let message = try? JSONDecoder().decode(CallMessage.self, from: Data(bytes.dropFirst())) else { break }
            guard let encoded = try? JSONEncoder().encode(message) else {
                findings.fail("call message \(message) does not encode")
                break
            }
            findings.check((try? JSONDecoder().decode(CallMessage.self, from: encoded)) == message,
                           "call message \(message) changed through JSON")
        }
        return findings
    }
}
