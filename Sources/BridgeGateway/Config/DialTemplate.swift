import Foundation
import BridgeSIP

/// Turns what a user types on the call page into a SIP URI: `sip:{number}@pbx.example.org` with `{number}`
/// replaced. A full `sip:` or `sips:` URI typed is used as it is.
public struct DialTemplate: Sendable, Hashable, CustomStringConvertible {
    public let template: String

    /// nil unless `template` is a `sip:`/`sips:` URI containing `{number}` once in its user part.
    public init?(_ template: String) {
        let lower = template.lowercased()
        guard lower.hasPrefix("sip:") || lower.hasPrefix("sips:"),
              template.components(separatedBy: "{number}").count == 2,
              let at = template.firstIndex(of: "@"), let placeholder = template.range(of: "{number}"),
              placeholder.upperBound <= at,
              (try? SIPURI(parsing: template.replacingOccurrences(of: "{number}", with: "1"))) != nil else { return nil }
        self.template = template
    }

    /// The URI for `typed`: digits, `*`, `#` and `+` (spaces, dashes, dots and brackets dropped) go into the
    /// template; a typed `sip:` URI is parsed as it is. nil for anything else.
    public func uri(for typed: String) -> SIPURI? {
        let text = typed.trimmingCharacters(in: .whitespaces)
        let lower = text.lowercased()
        if lower.hasPrefix("sip:") || lower.hasPrefix("sips:") { return try? SIPURI(parsing: text) }
        let number = text.filter { !" -.()".contains($0) }
        guard !number.isEmpty, number.count <= 64,
              number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#" || $0 == "+") }) else { return nil }
        // `#` is not allowed as is in a URI user part (RFC 3261 section 25.1): escape it.
        let escaped = number.replacingOccurrences(of: "#", with: "%23")
        return try? SIPURI(parsing: template.replacingOccurrences(of: "{number}", with: escaped))
    }

    public var description: String { template }
}
