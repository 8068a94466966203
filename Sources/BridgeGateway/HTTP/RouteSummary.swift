import Hummingbird

/// One route as `GET /api/v1/routes` shows it: never a password or a token.
struct RouteSummary: ResponseCodable, Equatable {
    var name: String
    /// The source URL with its password replaced by `***`.
    var source: String
    var mode: String
    var state: RouteState
    var error: String?
    var warning: String?
    /// Whether viewers need the route's bearer token.
    var protected: Bool

    init(_ entry: RouteRegistry.Entry) {
        name = entry.config.name
        source = entry.config.source.redacted
        mode = entry.config.mode.rawValue
        state = entry.state
        error = entry.lastError
        warning = entry.warning
        protected = entry.config.token != nil
    }
}

struct RouteList: ResponseCodable, Equatable {
    var routes: [RouteSummary]
}

struct HealthStatus: ResponseCodable, Equatable {
    var status: String
    var version: String
}
