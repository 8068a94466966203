/// `host:port` for a listening socket; an empty host (`:8080`) means every interface.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:8080`, `:8080`, `[::1]:8080` or `localhost:8080`; nil with a reason otherwise.
    public static func parse(_ text: String) -> Result<ListenAddress, ParseFailure> {
        guard let colon = text.lastIndex(of: ":") else {
            return .failure(ParseFailure(reason: "expected host:port, such as 127.0.0.1:8080 or :8080"))
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return .failure(ParseFailure(reason: "write IPv6 addresses in brackets, such as [::1]:8080"))
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(ParseFailure(reason: "port \"\(portText)\" is not a number in 0...65535"))
        }
        if host.contains(where: { $0 == " " || $0 == "/" }) {
            return .failure(ParseFailure(reason: "\"\(host)\" is not a host name or address"))
        }
        return .success(ListenAddress(host: host.isEmpty ? "0.0.0.0" : host, port: port))
    }

    public struct ParseFailure: Error, Sendable {
        public let reason: String
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
