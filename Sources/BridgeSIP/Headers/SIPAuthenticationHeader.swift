/// WWW-Authenticate, Proxy-Authenticate, Authorization and Proxy-Authorization (RFC 3261 sections 20.7,
/// 20.27, 20.28, 20.44; RFC 7616 section 3.3): a scheme and comma-separated `name=value` parameters whose
/// values may be quoted.
///
/// ```
/// Digest realm="atlanta.com", nonce="84a4cc6f", qop="auth", algorithm=MD5
/// ```
///
/// `description` writes secrets as they are (this is the wire form); log `redactedDescription`.
public struct SIPAuthenticationHeader: Sendable, Hashable, CustomStringConvertible {
    public struct Parameter: Sendable, Hashable {
        public var name: String
        /// Without quotes or escapes.
        public var value: String
        public var isQuoted: Bool

        public init(name: String, value: String, isQuoted: Bool) {
            self.name = name
            self.value = value
            self.isQuoted = isQuoted
        }
    }

    public var scheme: String
    public var parameters: [Parameter]

    public init(scheme: String, parameters: [Parameter]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    public subscript(_ name: String) -> String? {
        parameters.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public var isDigest: Bool { scheme.caseInsensitiveEquals("Digest") }

    public var description: String {
        scheme + " " + parameters.map { "\($0.name)=" + ($0.isQuoted ? SIPGrammar.quoted($0.value) : $0.value) }
            .joined(separator: ", ")
    }

    /// The header with `response`, `cnonce` and `nonce` values hidden, for logs.
    public var redactedDescription: String {
        scheme + " " + parameters.map { parameter in
            let hidden = ["response", "cnonce", "nonce"].contains { parameter.name.caseInsensitiveEquals($0) }
            return "\(parameter.name)=" + (hidden ? "***" : parameter.isQuoted ? SIPGrammar.quoted(parameter.value) : parameter.value)
        }.joined(separator: ", ")
    }

    public init(parsing text: String, element: String = "Authorization", limits: SIPLimits = .default) throws(SIPError) {
        let value = SIPGrammar.trimmed(text)
        let space = value.firstIndex(where: SIPGrammar.isWhitespace) ?? value.endIndex
        let scheme = value[..<space]
        guard SIPGrammar.isToken(scheme) else { throw .malformed(element, "scheme is not a token") }
        self.scheme = String(scheme)
        parameters = []
        let rest = SIPGrammar.trimmed(value[space...])
        guard !rest.isEmpty else { return }
        guard let pieces = SIPGrammar.split(rest, at: ",") else { throw .malformed(element, "unbalanced quotes") }
        guard pieces.count <= limits.maximumParameterCount else { throw .limit(element, "too many parameters") }
        for piece in pieces {
            let part = SIPGrammar.trimmed(piece)
            guard !part.isEmpty else { continue }
            guard let equals = part.firstIndex(of: "=") else { throw .malformed(element, "parameter without =") }
            let name = SIPGrammar.trimmed(part[..<equals])
            let raw = SIPGrammar.trimmed(part[part.index(after: equals)...])
            guard SIPGrammar.isToken(name) else { throw .malformed(element, "parameter name is not a token") }
            if raw.first == "\"" {
                guard let unquoted = SIPGrammar.unquoted(raw) else { throw .malformed(element, "bad quoted value for \(name)") }
                parameters.append(Parameter(name: String(name), value: unquoted, isQuoted: true))
            } else {
                guard SIPGrammar.isToken(raw) || raw.utf8.allSatisfy({ SIPParameters.isParameterCharacter($0) && $0 < 0x80 }),
                      !raw.isEmpty else {
                    throw .malformed(element, "value of \(name) is neither a token nor quoted")
                }
                parameters.append(Parameter(name: String(name), value: String(raw), isQuoted: false))
            }
        }
    }
}
