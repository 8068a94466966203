import BridgeCore

/// Where a route's media comes from: an RTSP camera or a media file.
///
/// The full URL (with credentials) is kept for the source itself; everything that prints uses `redacted`.
public struct SourceURL: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case rtsp, rtsps, file
    }

    public let kind: Kind
    /// As written in the config, after `${NAME}` substitution. Holds the password: never log it.
    public let url: Redacted
    /// The camera host, or "" for files.
    public let host: String
    /// The camera port (554 / 322 when not given), or 0 for files.
    public let port: Int
    /// The file path for `file:` sources, relative paths against the working directory.
    public let filePath: String?

    /// The URL with the password replaced by `***`.
    public var redacted: String { URLRedaction.redactingPassword(in: url.revealed) }
    public var description: String { redacted }

    public struct ParseFailure: Error, Sendable {
        public let reason: String
    }

    /// Parses `rtsp://[user[:password]@]host[:port]/path`, `rtsps://…`, `file:path` or `file:///abs/path`.
    public static func parse(_ text: String) -> Result<SourceURL, ParseFailure> {
        guard let colon = text.firstIndex(of: ":") else {
            return .failure(ParseFailure(reason: "\"\(URLRedaction.redactingPassword(in: text))\" is not a URL (expected rtsp://, rtsps:// or file:)"))
        }
        let schemeText = text[..<colon].lowercased()
        guard let kind = Kind(rawValue: schemeText) else {
            let known = Kind.allCases.map(\.rawValue)
            return .failure(ParseFailure(reason: "unsupported scheme \"\(schemeText)\"\(DidYouMean.hint(for: schemeText, among: known))"))
        }
        let rest = text[text.index(after: colon)...]
        if kind == .file {
            var path = rest
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            guard !path.isEmpty else { return .failure(ParseFailure(reason: "file: URL without a path")) }
            return .success(SourceURL(kind: kind, url: Redacted(text), host: "", port: 0, filePath: String(path)))
        }
        guard rest.hasPrefix("//") else {
            return .failure(ParseFailure(reason: "expected \(kind.rawValue)://host/path"))
        }
        let afterSlashes = rest.dropFirst(2)
        let authority = afterSlashes.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        let hostPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        var host = Substring(hostPort)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                return .failure(ParseFailure(reason: "unclosed [ in IPv6 host"))
            }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                return .failure(ParseFailure(reason: "unexpected text after IPv6 host"))
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let portColon = host.lastIndex(of: ":") {
            portText = host[host.index(after: portColon)...]
            host = host[..<portColon]
        }
        guard !host.isEmpty else { return .failure(ParseFailure(reason: "no host in URL")) }
        guard !host.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            return .failure(ParseFailure(reason: "host contains spaces or line breaks"))
        }
        var port = kind == .rtsps ? 322 : 554
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                return .failure(ParseFailure(reason: "port \"\(portText)\" is not a number in 1...65535"))
            }
            port = value
        }
        return .success(SourceURL(kind: kind, url: Redacted(text), host: String(host), port: port, filePath: nil))
    }
}
