/// Removes passwords from URLs before they reach a log line or an API answer.
public enum URLRedaction {
    /// `rtsp://admin:secret@cam/stream` becomes `rtsp://admin:***@cam/stream`; a URL without a password
    /// comes back unchanged. Works on text that is not a valid URL too: it never traps.
    public static func redactingPassword(in url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let authorityStart = schemeEnd.upperBound
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }

    /// Whether the URL's authority carries a userinfo (`user@` or `user:password@`).
    public static func hasUserInfo(_ url: String) -> Bool {
        guard let schemeEnd = url.firstRange(of: "://") else { return false }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return authority.contains("@")
    }
}
