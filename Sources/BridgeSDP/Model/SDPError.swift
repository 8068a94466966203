/// Why a session description could not be parsed or translated, in words that say what and where:
/// `SDP line 14: rtpmap without payload type`.
public struct SDPError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case malformed
        case limit
        case unsupported
    }

    private let code: Code
    /// 1-based line number, when the problem is on one line.
    public let line: Int?
    public let message: String

    private init(code: Code, line: Int?, message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    static func malformed(line: Int?, _ message: String) -> SDPError {
        SDPError(code: .malformed, line: line, message: message)
    }

    static func limit(line: Int?, _ message: String) -> SDPError {
        SDPError(code: .limit, line: line, message: message)
    }

    /// A valid description the gateway cannot serve (no common codec, no BUNDLE, no fingerprint, …).
    static func unsupported(_ message: String) -> SDPError {
        SDPError(code: .unsupported, line: nil, message: message)
    }

    /// The description is not valid SDP (or breaks a size limit); as opposed to valid but unusable.
    public var isMalformed: Bool { code != .unsupported }

    public var description: String {
        line.map { "SDP line \($0): \(message)" } ?? "SDP: \(message)"
    }
}
