import Hummingbird

/// `GET /api/v1/routes/{name}/sessions` lists a route's viewers; `DELETE …/sessions/{id}` kicks one. Both
/// are the operator's (`AccessPolicy`): the list shows viewers' addresses.
struct SessionsEndpoint: Sendable {
    let hubs: RouteHubs
    let access: AccessPolicy

    func addRoutes(to router: Router<GatewayRequestContext>) {
        let hubs = self.hubs, access = self.access
        router.get("api/v1/routes/:route/sessions") { request, context -> Response in
            if let refusal = access.refusal(for: .admin, request, context) { return refusal }
            guard let name = context.parameters.get("route"), let hub = hubs[name] else {
                return WHEPEndpoint.plain(.notFound, "no such route\n")
            }
            let sessions = await hub.viewerSummaries()
            return try ViewerList(route: name, sessions: sessions).response(from: request, context: context)
        }
        router.delete("api/v1/routes/:route/sessions/:session") { request, context -> Response in
            if let refusal = access.refusal(for: .admin, request, context) { return refusal }
            guard let name = context.parameters.get("route"), let hub = hubs[name] else {
                return WHEPEndpoint.plain(.notFound, "no such route\n")
            }
            let id = context.parameters.get("session") ?? ""
            let removed = await hub.removeViewer(id: id, reason: "kicked through the API")
            return removed ? Response(status: .noContent) : WHEPEndpoint.plain(.notFound, "no session \(id) on route \(name)\n")
        }
    }
}
