/// Content-Type (RFC 3261 section 20.15): `type/subtype` lowercased, and parameters.
public struct SIPContentType: Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var subtype: String
    public var parameters: SIPParameters

    public init(type: String, subtype: String, parameters: SIPParameters = SIPParameters()) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    public static let sdp = SIPContentType(type: "application", subtype: "sdp")

    /// Type and subtype, without parameters.
    public var mediaType: String { "\(type)/\(subtype)" }
    public var description: String { mediaType + parameters.text }

    public init(parsing text: String, limits: SIPLimits = .default) throws(SIPError) {
        let value = SIPGrammar.trimmed(text)
        let semicolon = value.firstIndex(of: ";") ?? value.endIndex
        let parts = value[..<semicolon].split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .malformed("Content-Type", "not type/subtype") }
        let type = SIPGrammar.trimmed(parts[0]), subtype = SIPGrammar.trimmed(parts[1])
        guard SIPGrammar.isToken(type), SIPGrammar.isToken(subtype) else {
            throw .malformed("Content-Type", "type or subtype is not a token")
        }
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        parameters = semicolon < value.endIndex
            ? try SIPParameters.parse(value[value.index(after: semicolon)...], element: "Content-Type",
                                      allowWhitespace: true, limits: limits)
            : SIPParameters()
    }
}

/// Session-Expires (RFC 4028 section 4): the session interval and who refreshes.
public struct SIPSessionExpires: Sendable, Hashable, CustomStringConvertible {
    public enum Refresher: String, Sendable, Hashable {
        case uac, uas
    }

    public var interval: UInt32
    public var refresher: Refresher?

    public init(interval: UInt32, refresher: Refresher? = nil) {
        self.interval = interval
        self.refresher = refresher
    }

    public var description: String { "\(interval)" + (refresher.map { ";refresher=\($0.rawValue)" } ?? "") }

    public init(parsing text: String) throws(SIPError) {
        let value = SIPGrammar.trimmed(text)
        let semicolon = value.firstIndex(of: ";") ?? value.endIndex
        guard let interval = SIPDeltaSeconds.parse(value[..<semicolon]) else {
            throw .malformed("Session-Expires", "interval is not delta-seconds")
        }
        self.interval = interval
        refresher = nil
        if semicolon < value.endIndex {
            let parameters = try SIPParameters.parse(value[value.index(after: semicolon)...], element: "Session-Expires",
                                                     allowWhitespace: true)
            if let text = parameters["refresher"] {
                guard let refresher = Refresher(rawValue: text.lowercased()) else {
                    throw .malformed("Session-Expires", "refresher is not uac or uas")
                }
                self.refresher = refresher
            }
        }
    }
}
