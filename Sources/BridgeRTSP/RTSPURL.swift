import BridgeCore

/// An `rtsp://` or `rtsps://` URL split into what the client needs: where to connect, the credentials from
/// the userinfo, and the URL to put in requests (the same text without the userinfo).
///
/// `description` never shows the password.
public struct RTSPURL: Sendable, Hashable, CustomStringConvertible {
    public let isSecure: Bool
    public let host: String
    public let port: Int
    public let username: String?
    public let password: Redacted?
    /// The URL as written, without `user:password@`: what goes in request lines and the Digest `uri`.
    public let requestURL: String

    public var description: String { requestURL }

    public init(parsing text: String) throws(RTSPError) {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw .invalidURL("\"\(URLRedaction.redactingPassword(in: text))\" is not an rtsp:// URL")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "rtsp" || scheme == "rtsps" else {
            throw .invalidURL("unsupported scheme \"\(RTSPError.preview(scheme))\" (expected rtsp or rtsps)")
        }
        guard !RTSPRequest.isUnsafe(text), !text.contains(" ") else {
            throw .invalidURL("the URL contains spaces or line breaks")
        }
        isSecure = scheme == "rtsps"
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                username = Self.percentDecoded(userInfo[..<colon])
                password = Redacted(Self.percentDecoded(userInfo[userInfo.index(after: colon)...]))
            } else {
                username = Self.percentDecoded(userInfo)
                password = nil
            }
            hostPort = authority[authority.index(after: at)...]
        } else {
            username = nil
            password = nil
        }
        var hostText = hostPort
        var portText: Substring?
        if hostText.hasPrefix("[") {
            guard let close = hostText.firstIndex(of: "]") else { throw .invalidURL("unclosed [ in IPv6 host") }
            let after = hostText[hostText.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
            hostText = hostText[hostText.index(after: hostText.startIndex)..<close]
        } else if let colon = hostText.lastIndex(of: ":") {
            portText = hostText[hostText.index(after: colon)...]
            hostText = hostText[..<colon]
        }
        guard !hostText.isEmpty else { throw .invalidURL("no host in the URL") }
        host = String(hostText)
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw .invalidURL("port \"\(RTSPError.preview(portText))\" is not a number in 1...65535")
            }
            port = value
        } else {
            port = isSecure ? 322 : 554
        }
        requestURL = String(text[..<schemeEnd.upperBound]) + String(hostPort) + String(rest[authorityEnd...])
    }

    /// `%40` in a userinfo is `@` (RFC 3986 section 2.1); bad escapes stay as written.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
               let value = UInt8(String(decoding: utf8[index + 1 ... index + 2], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A track's URL from its `a=control` (RFC 2326 appendix C.1.1): absolute as it is (without userinfo),
    /// `*` or nothing the base itself, else the base, a slash and the control (what cameras expect, rather
    /// than RFC 3986's replacing of the last path segment).
    public static func resolve(control: String?, base: String) -> String {
        guard let control = control?.trimmingCharacters(in: " \t"), !control.isEmpty, control != "*" else { return base }
        let lowered = control.lowercased()
        if lowered.hasPrefix("rtsp://") || lowered.hasPrefix("rtsps://") {
            return (try? RTSPURL(parsing: control).requestURL) ?? control
        }
        var relative = Substring(control)
        while relative.hasPrefix("/") { relative = relative.dropFirst() }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }
}
