import Hummingbird

/// One route as `GET /api/v1/routes` shows it: never a password or a token.
struct RouteSummary: ResponseCodable, Equatable {
    var name: String
    /// The source URL with its password replaced by `***`; nil in the public view.
    var source: String?
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

    /// What a client that is not the operator may see: the name, mode and state, not where the camera is
    /// or what went wrong with it.
    var publicView: RouteSummary {
        var view = self
        view.source = nil
        view.error = nil
        view.warning = nil
        return view
    }
}

struct RouteList: ResponseCodable, Equatable {
    var routes: [RouteSummary]
}

struct HealthStatus: ResponseCodable, Equatable {
    var status: String
    var version: String
}
