import BridgeSDP
import BridgeSRTP
import BridgeRTP
import Foundation
import HTTPTypes
import Hummingbird

/// WHEP (draft-ietf-wish-whep, built on WHIP, RFC 9725) per route at `/whep/{route}`: POST an offer, get the answer and a session resource;
/// PATCH it with trickle candidates; DELETE it to leave. CORS and `Link: rel="ice-server"` on every answer,
/// and a bearer token when the route has one.
struct WHEPEndpoint: Sendable {
    let hubs: RouteHubs
    let server: WebRTCTransportServer
    let iceServers: [WebRTCConfig.ICEServer]
    let admission: AdmissionControl

    static let maximumOffer = 128 * 1024

    func addRoutes(to router: Router<GatewayRequestContext>) {
        let endpoint = self
        router.post("whep/:route") { request, context in try await endpoint.post(request, context) }
        router.on("whep/:route", method: .options) { request, context in endpoint.options(request, context) }
        router.on("whep/:route/:session", method: .options) { request, context in endpoint.options(request, context) }
        router.patch("whep/:route/:session") { request, context in try await endpoint.patch(request, context) }
        router.delete("whep/:route/:session") { request, context in try await endpoint.delete(request, context) }
    }

    // MARK: Handlers

    private func post(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (hub, denied) = authorize(request, context)
        guard let hub else { return denied ?? notFound(context) }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/sdp") == true else {
            return Self.plain(.unsupportedMediaType, "WHEP offers are application/sdp\n")
        }
        let body = try await request.body.collect(upTo: Self.maximumOffer)
        let offer: SessionDescription
        do {
            offer = try SessionDescription(parsing: Array(buffer: body))
        } catch {
            return Self.plain(.badRequest, "malformed offer: \(error)\n")
        }
        let id = WebRTCTransportServer.randomToken(16)
        // Admitted before the route's source is started and before any DTLS state exists; released when the
        // session ends, whichever way.
        if let refusal = admission.admit(id: id, route: hub.config.name, routeLimit: hub.config.maxViewers, client: context.clientIP) {
            var response = Self.plain(.serviceUnavailable, "\(refusal); try again later\n")
            response.headers[.retryAfter] = String(refusal.retryAfterSeconds)
            return response
        }
        let tracks: [MediaTrackInfo]
        do {
            tracks = try await hub.prepare()
        } catch {
            admission.release(id: id)
            var response = Self.plain(.serviceUnavailable, "route \(hub.config.name) cannot play now: \(error.description)\n")
            response.headers[.retryAfter] = "2"
            return response
        }
        guard let source = SourceDescription.make(tracks) else {
            admission.release(id: id)
            return Self.plain(.internalServerError, "the source's tracks could not be described\n")
        }
        let transport = server.newTransportParameters()
        var options = WHEPAnswerBuilder.Options()
        options.videoEnabled = hub.config.video != .none
        options.audioEnabled = hub.config.audio != .none
        options.audio = switch hub.config.audio {
        case .auto, .none: .auto
        case .opus: .transcodeToOpus
        case .passthrough: .passThroughOnly
        }
        var generator = SystemRandomNumberGenerator()
        options.ssrcs = (0..<4).map { _ in UInt32.random(in: 1...UInt32.max, using: &generator) }
        options.sessionID = UInt64.random(in: 1...UInt64(Int64.max), using: &generator)
        let answer: WHEPAnswerBuilder.Answer
        do {
            answer = try WHEPAnswerBuilder(transport: transport, options: options).answer(source: source, offer: offer)
        } catch {
            admission.release(id: id)
            return Self.plain(error.isMalformed ? .badRequest : .notAcceptable, "\(error)\n")
        }
        let admission = self.admission
        let ufrag = transport.iceUfrag
        do {
            try await hub.addViewer(id: id, ufrag: transport.iceUfrag, plans: answer.tracks)
            try await server.startSession(transport: transport, offer: offer, profiles: [.aeadAES128GCM, .aes128CMHMACSHA1_80]) { event, _ in
                switch event {
                case .connected: admission.connected(id: id)
                case .closed: admission.release(id: id)
                default: break
                }
                hub.handleViewerEvent(id: id, ufrag: ufrag, event)
            }
        } catch {
            admission.release(id: id)
            _ = await hub.removeViewer(id: id, reason: nil)
            return Self.plain(.internalServerError, "cannot start the session: \(error)\n")
        }
        var headers = corsHeaders()
        headers[.contentType] = "application/sdp"
        headers[.location] = "/whep/\(hub.config.name)/\(id)"
        headers[.eTag] = "\"\(id)\""
        for link in iceServerLinks() { headers.append(HTTPField(name: .whepLink, value: link)) }
        return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.description.write())))
    }

    private func patch(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (hub, denied) = authorize(request, context)
        guard let hub else { return denied ?? notFound(context) }
        let id = context.parameters.get("session") ?? ""
        guard await hub.hasViewer(id: id) else {
            return Self.plain(.notFound, "no session \(id) on route \(hub.config.name)\n")
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/trickle-ice-sdpfrag") == true else {
            return Self.plain(.unsupportedMediaType, "PATCH takes application/trickle-ice-sdpfrag\n")
        }
        let fragment = String(buffer: try await request.body.collect(upTo: 16 * 1024))
        if let match = request.headers[.ifMatch], match != "*", match != "\"\(id)\"" {
            return Self.plain(.preconditionFailed, "If-Match does not name this session\n")
        }
        // ICE-lite: the gateway learns the browser's address from its checks (peer-reflexive), so trickled
        // candidates need no action. A new ufrag would be an ICE restart, which needs a new session.
        if fragment.contains("a=ice-ufrag:") {
            return Self.plain(.unprocessableContent, "ICE restart is not supported: POST a new offer instead\n")
        }
        return Response(status: .noContent, headers: corsHeaders())
    }

    private func delete(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (hub, denied) = authorize(request, context)
        guard let hub else { return denied ?? notFound(context) }
        let id = context.parameters.get("session") ?? ""
        let removed = await hub.removeViewer(id: id, reason: "WHEP DELETE")
        return removed ? Response(status: .ok, headers: corsHeaders()) : Self.plain(.notFound, "no session \(id) on route \(hub.config.name)\n")
    }

    private func options(_ request: Request, _ context: GatewayRequestContext) -> Response {
        var headers = corsHeaders()
        headers[.accessControlAllowMethods] = "POST, PATCH, DELETE, OPTIONS"
        headers[.accessControlAllowHeaders] = "Authorization, Content-Type, If-Match"
        headers[.accessControlMaxAge] = "86400"
        if let acceptPost = HTTPField.Name("Accept-Post") { headers[acceptPost] = "application/sdp" }
        if let acceptPatch = HTTPField.Name("Accept-Patch") { headers[acceptPatch] = "application/trickle-ice-sdpfrag" }
        // TURN credentials only for a request that may use the route: a preflight carries no token.
        let (hub, _) = authorize(request, context)
        for link in iceServerLinks(withCredentials: hub != nil) { headers.append(HTTPField(name: .whepLink, value: link)) }
        return Response(status: .noContent, headers: headers)
    }

    // MARK: Helpers

    /// The route's hub when the request may use it; otherwise the 401 (or nil for an unknown route).
    private func authorize(_ request: Request, _ context: GatewayRequestContext) -> (RouteHub?, Response?) {
        guard let name = context.parameters.get("route"), let hub = hubs[name] else { return (nil, nil) }
        guard let token = hub.config.token?.revealed else { return (hub, nil) }
        guard let presented = AccessPolicy.bearer(in: request), BearerToken.matches(presented, token) else {
            var response = Self.plain(.unauthorized, "route \(name) needs its bearer token (Authorization: Bearer …)\n")
            response.headers[.wwwAuthenticate] = "Bearer realm=\"MediaBridge\""
            return (nil, response)
        }
        return (hub, nil)
    }

    private func notFound(_ context: GatewayRequestContext) -> Response {
        let name = context.parameters.get("route") ?? ""
        let known = hubs.names
        return Self.plain(.notFound, "no route \"\(name)\"\(DidYouMean.hint(for: name, among: known))\n")
    }

    private func corsHeaders() -> HTTPFields {
        [.accessControlAllowOrigin: "*", .accessControlExposeHeaders: "Location, ETag, Link"]
    }

    /// `Link` values for the configured STUN/TURN servers (RFC 9725 section 4.6); without credentials, the
    /// servers that need none.
    func iceServerLinks(withCredentials: Bool = true) -> [String] {
        iceServers.filter { withCredentials || $0.credential == nil }.flatMap { server in
            server.urls.map { url in
                var link = "<\(url)>; rel=\"ice-server\""
                if let username = server.username { link += "; username=\"\(username)\"" }
                if let credential = server.credential?.revealed { link += "; credential=\"\(credential)\"; credential-type=\"password\"" }
                return link
            }
        }
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .accessControlAllowOrigin: "*"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension HTTPField.Name {
    static let whepLink = HTTPField.Name("Link") ?? .contentLocation
}

/// Bearer tokens compared without an early exit, so timing does not tell how much of a guess was right.
enum BearerToken {
    static func matches(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

/// Every route's hub, by name.
final class RouteHubs: Sendable {
    private let byName: [String: RouteHub]
    let names: [String]

    init(_ hubs: [RouteHub]) {
        byName = Dictionary(hubs.map { ($0.config.name, $0) }, uniquingKeysWith: { first, _ in first })
        names = hubs.map(\.config.name)
    }

    subscript(name: String) -> RouteHub? { byName[name] }
    var all: [RouteHub] { names.compactMap { byName[$0] } }
}
