import Synchronization

/// What a route is doing now, as the API and the page show it.
public enum RouteState: String, Sendable, Codable {
    /// Configured; its source starts when a viewer comes (on-demand) or at start-up (always-on).
    case idle
    case connecting
    case live
    case error
}

/// The routes the gateway serves and their live state. Shared by the HTTP handlers and the sources.
public final class RouteRegistry: Sendable {
    public struct Entry: Sendable {
        public let config: RouteConfig
        public var state: RouteState
        /// The last error a source reported, such as "401 Unauthorized from camera".
        public var lastError: String?
        /// Something viewers will notice although the source runs, such as B-frames.
        public var warning: String?
    }

    private let entries: Mutex<[Entry]>

    public init(routes: [RouteConfig]) {
        entries = Mutex(routes.map { Entry(config: $0, state: .idle, lastError: nil, warning: nil) })
    }

    public var snapshot: [Entry] {
        entries.withLock { $0 }
    }

    public func warn(route name: String, _ warning: String?) {
        entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.config.name == name }) else { return }
            entries[index].warning = warning
        }
    }

    public func update(route name: String, state: RouteState, error: String? = nil) {
        entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.config.name == name }) else { return }
            entries[index].state = state
            entries[index].lastError = error
        }
    }
}
