import HTTPTypes
import Hummingbird

/// Applied to every HTTP response: a Host check against DNS rebinding (a page on another site whose name
/// resolves to the gateway's address must not reach the API with the browser's trust), `nosniff`, and on
/// pages a Content-Security-Policy that keeps them out of other sites' frames.
struct HTTPHygieneMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Host names admitted besides IP literals and `localhost` (lowercased, without port); `*` admits any.
    let hosts: Set<String>

    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; "
            + "frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !hosts.contains("*"), let authority = request.head.authority, !Self.admits(authority, hosts: hosts) {
            return WHEPEndpoint.plain(.misdirectedRequest, "Host \(authority.prefix(100)) is not a name of this gateway: add it to http.hosts\n")
        }
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
            response.headers[.xFrameOptions] = "SAMEORIGIN"
            response.headers[.referrerPolicy] = "no-referrer"
        }
        return response
    }

    /// Whether a Host value (`name[:port]`, `[v6]:port`) names the gateway: an IP literal, localhost, or one
    /// of `hosts`.
    static func admits(_ authority: String, hosts: Set<String>) -> Bool {
        let host = hostName(of: authority)
        if host == "localhost" || hosts.contains(host) { return true }
        if host.contains(":") { return true }  // an IPv6 literal (from brackets)
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { UInt8($0) != nil }
    }

    static func hostName(of authority: String) -> String {
        let lowered = authority.lowercased()
        if lowered.hasPrefix("["), let end = lowered.firstIndex(of: "]") {
            return String(lowered[lowered.index(after: lowered.startIndex)..<end])
        }
        return String(lowered.split(separator: ":", maxSplits: 1).first ?? "")
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options") ?? .contentType
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy") ?? .contentType
    static let xFrameOptions = HTTPField.Name("X-Frame-Options") ?? .contentType
    static let referrerPolicy = HTTPField.Name("Referrer-Policy") ?? .contentType
}
