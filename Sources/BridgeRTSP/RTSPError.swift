/// Why bytes from a camera are not RTSP, or what the RTSP exchange broke on, in words that say what and
/// where: `RTSP header line 3: no colon in "Content-Length 12"`.
public struct RTSPError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable {
        case malformed
        case limit
        case invalidURL
        case unsafeHeaderValue
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func malformed(_ message: String) -> RTSPError { RTSPError(.malformed, message) }
    static func limit(_ message: String) -> RTSPError { RTSPError(.limit, message) }
    static func invalidURL(_ message: String) -> RTSPError { RTSPError(.invalidURL, message) }

    /// True for size limits (a header block, body or header count past its maximum).
    public var isLimit: Bool { code == .limit }

    public var description: String { message }

    /// Up to 40 characters of untrusted text, printable, for messages.
    static func preview(_ text: some StringProtocol) -> String {
        let printable = text.unicodeScalars.prefix(40).map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" }
        return String(printable) + (text.unicodeScalars.count > 40 ? "…" : "")
    }
}
