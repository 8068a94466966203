import Hummingbird

/// `GET /api/v1/routes/{name}/sessions` lists a route's viewers; `DELETE …/sessions/{id}` kicks one.
struct SessionsEndpoint: Sendable {
    let hubs: RouteHubs

    func addRoutes(to router: Router<BasicRequestContext>) {
        let hubs = self.hubs
        router.get("api/v1/routes/:route/sessions") { request, context -> Response in
            guard let name = context.parameters.get("route"), let hub = hubs[name] else {
                return WHEPEndpoint.plain(.notFound, "no such route\n")
            }
            let sessions = try await hub.eventLoop.submit { hub.viewerSummaries }.get()
            return try ViewerList(route: name, sessions: sessions).response(from: request, context: context)
        }
        router.delete("api/v1/routes/:route/sessions/:session") { _, context -> Response in
            guard let name = context.parameters.get("route"), let hub = hubs[name] else {
                return WHEPEndpoint.plain(.notFound, "no such route\n")
            }
            let id = context.parameters.get("session") ?? ""
            let removed = try await hub.eventLoop.submit { hub.removeViewer(id: id, reason: "kicked through the API") }.get()
            return removed ? Response(status: .noContent) : WHEPEndpoint.plain(.notFound, "no session \(id) on route \(name)\n")
        }
    }
}
