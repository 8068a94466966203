import BridgeCore
import HTTPTypes
import Hummingbird

/// Who may call the operator's endpoints: the admin API (`/api/v1/…` beyond what the index page shows, the
/// sessions list and kick, the calls detail) and `/metrics`.
/// - With `http.admin_token`, a request must carry it as `Authorization: Bearer …`.
/// - Without it, only clients on this machine (loopback) are admitted, so a gateway listening on a public
///   address never exposes viewer addresses or the kick to the network by default.
/// `/metrics` also takes `http.metrics_token` when one is set (for a Prometheus scraper that should not hold
/// the admin token). A route's viewer token never grants any of this.
struct AccessPolicy: Sendable {
    var adminToken: Redacted?
    var metricsToken: Redacted?

    enum Scope: Sendable { case admin, metrics }

    /// Nil when the request is admitted; otherwise the 401 or 403 to send.
    func refusal(for scope: Scope, _ request: Request, _ context: GatewayRequestContext) -> Response? {
        refusal(for: scope, bearer: Self.bearer(in: request), fromLoopback: context.isLoopbackClient)
    }

    func refusal(for scope: Scope, bearer presented: String?, fromLoopback: Bool) -> Response? {
        let tokens = [adminToken, scope == .metrics ? metricsToken : nil].compactMap { $0?.revealed }
        if tokens.isEmpty {
            if fromLoopback { return nil }
            return WHEPEndpoint.plain(.forbidden, "this endpoint is open only to the gateway's own machine until http.admin_token is set\n")
        }
        if let presented, tokens.contains(where: { BearerToken.matches(presented, $0) }) { return nil }
        var response = WHEPEndpoint.plain(.unauthorized, "this endpoint needs the admin token (Authorization: Bearer …)\n")
        response.headers[.wwwAuthenticate] = "Bearer realm=\"MediaBridge admin\""
        return response
    }

    /// Whether the request is the operator's (the same rule as `refusal(for: .admin, …)`).
    func isAdmin(_ request: Request, _ context: GatewayRequestContext) -> Bool {
        refusal(for: .admin, request, context) == nil
    }

    /// The token of an `Authorization: Bearer …` header.
    static func bearer(in request: Request) -> String? {
        request.headers[.authorization].flatMap { value -> String? in
            value.lowercased().hasPrefix("bearer ") ? String(value.dropFirst(7)) : nil
        }
    }
}
