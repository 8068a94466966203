import Foundation
import InteropSupport
import Testing

/// WHEP (RFC 9725) as the gateway serves it: status codes, headers, token, PATCH, DELETE and errors,
/// against the real binary with the demo file as the source.
@Suite(.serialized, .ownThread) struct WHEPProtocolTests {
    static let routes = """
        [{name: demo, source: "file:$SAMPLES/demo.mp4", mode: always-on},
         {name: locked, source: "file:$SAMPLES/demo.mp4", token: s3cret},
         {name: single, source: "file:$SAMPLES/demo.mp4", max_viewers: 1}]
        """
    static let iceServers = #"ice_servers: [{urls: ["stun:stun.example.org:3478"]}, {urls: ["turn:turn.example.org:3478?transport=udp"], username: u1, credential: p1}]"#

    let gateway: PeerProcess.Gateway
    let base: String

    init() throws {
        gateway = try PeerProcess.Gateway(routes: Self.routes, webrtcYAML: Self.iceServers)
        base = "http://127.0.0.1:\(gateway.httpPort)"
    }

    func post(_ route: String, _ offer: String, headers: [String: String] = ["Content-Type": "application/sdp"]) async throws -> HTTPReply {
        try await HTTPRequest.send("POST", "\(base)/whep/\(route)", headers: headers, body: offer)
    }

    @Test func postAnswersWithLocationETagLinksAndCORS() async throws {
        defer { gateway.stop() }
        let reply = try await post("demo", HTTPRequest.fixture("chromium-whep-offer.sdp"))
        #expect(reply.status == 201, "\(reply.body)")
        #expect(reply.header("Content-Type") == "application/sdp")
        let location = try #require(reply.header("Location"))
        #expect(location.hasPrefix("/whep/demo/"))
        #expect(reply.header("ETag")?.hasPrefix("\"") == true)
        #expect(reply.header("Access-Control-Allow-Origin") == "*")
        #expect(reply.header("Access-Control-Expose-Headers")?.contains("Location") == true)
        let links = reply.header("Link") ?? ""
        #expect(links.contains("<stun:stun.example.org:3478>; rel=\"ice-server\""))
        #expect(links.contains("username=\"u1\"") && links.contains("credential=\"p1\""))
        #expect(reply.body.contains("a=ice-lite"))
        #expect(reply.body.contains("a=setup:passive"))
        #expect(reply.body.contains("H264/90000"))
        #expect(reply.body.contains("opus/48000/2"), "AAC from the file is offered as Opus")

        let sessions = try await HTTPRequest.send("GET", "\(base)/api/v1/routes/demo/sessions")
        #expect(sessions.body.contains(location.split(separator: "/").last.map(String.init) ?? "-"))

        let trickle = try await HTTPRequest.send("PATCH", base + location, headers: ["Content-Type": "application/trickle-ice-sdpfrag"],
                                                 body: "a=mid:0\r\na=candidate:1 1 udp 2122194687 127.0.0.1 40000 typ host\r\n")
        #expect(trickle.status == 204)
        let restart = try await HTTPRequest.send("PATCH", base + location, headers: ["Content-Type": "application/trickle-ice-sdpfrag"],
                                                 body: "a=ice-ufrag:new1\r\na=ice-pwd:newpasswordnewpassword12\r\n")
        #expect(restart.status == 422)
        #expect(try await HTTPRequest.send("DELETE", base + location).status == 200)
        #expect(try await HTTPRequest.send("DELETE", base + location).status == 404)
        #expect(try await HTTPRequest.send("PATCH", base + location, headers: ["Content-Type": "application/trickle-ice-sdpfrag"], body: "").status == 404)
    }

    /// `max_viewers: 1`: the second viewer gets 503 with Retry-After (and a metric), the first is untouched,
    /// and once it leaves the next one is admitted.
    @Test func aFullRouteAnswers503WithRetryAfterAndAdmitsAgainAfterALeave() async throws {
        defer { gateway.stop() }
        let offer = try HTTPRequest.fixture("chromium-whep-offer.sdp")
        let first = try await post("single", offer)
        #expect(first.status == 201, "\(first.body)")
        let second = try await post("single", offer)
        #expect(second.status == 503)
        #expect(second.header("Retry-After") == "10")
        #expect(second.body.contains("max_viewers"), "\(second.body)")
        let metrics = try await HTTPRequest.send("GET", "\(base)/metrics")
        #expect(metrics.body.contains(#"mediabridge_webrtc_admission_refused_total{reason="route_full"} 1"#))
        let location = try #require(first.header("Location"))
        #expect(try await HTTPRequest.send("DELETE", base + location).status == 200)
        let third = try await post("single", offer)
        #expect(third.status == 201, "\(third.body)")
    }

    @Test func optionsAdvertisesMethodsAndTypes() async throws {
        defer { gateway.stop() }
        let reply = try await HTTPRequest.send("OPTIONS", "\(base)/whep/demo")
        #expect(reply.status == 204)
        #expect(reply.header("Access-Control-Allow-Methods")?.contains("POST") == true)
        #expect(reply.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
        #expect(reply.header("Accept-Post") == "application/sdp")
    }

    /// A preflight carries no token: on a protected route it must not hand out TURN credentials (the STUN
    /// server, which needs none, is still listed).
    @Test func optionsOnAProtectedRouteHidesTURNCredentialsWithoutTheToken() async throws {
        defer { gateway.stop() }
        let anonymous = try await HTTPRequest.send("OPTIONS", "\(base)/whep/locked")
        #expect(anonymous.status == 204)
        let links = anonymous.header("Link") ?? ""
        #expect(links.contains("stun:stun.example.org"))
        #expect(!links.contains("p1") && !links.contains("turn:"))
        let allowed = try await HTTPRequest.send("OPTIONS", "\(base)/whep/locked", headers: ["Authorization": "Bearer s3cret"])
        #expect(allowed.header("Link")?.contains("credential=\"p1\"") == true)
        let open = try await HTTPRequest.send("OPTIONS", "\(base)/whep/demo")
        #expect(open.header("Link")?.contains("credential=\"p1\"") == true)
    }

    @Test func tokenIsRequiredWhereConfigured() async throws {
        defer { gateway.stop() }
        let offer = try HTTPRequest.fixture("chromium-whep-offer.sdp")
        let missing = try await post("locked", offer)
        #expect(missing.status == 401)
        #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        let wrong = try await post("locked", offer, headers: ["Content-Type": "application/sdp", "Authorization": "Bearer s3cre"])
        #expect(wrong.status == 401)
        let right = try await post("locked", offer, headers: ["Content-Type": "application/sdp", "Authorization": "Bearer s3cret"])
        #expect(right.status == 201, "\(right.body)")
    }

    @Test func badRequestsGetClearErrors() async throws {
        defer { gateway.stop() }
        let offer = try HTTPRequest.fixture("chromium-whep-offer.sdp")
        let unknown = try await post("demi", offer)
        #expect(unknown.status == 404)
        #expect(unknown.body.contains("did you mean \"demo\""), "\(unknown.body)")
        let plain = try await post("demo", offer, headers: ["Content-Type": "text/plain"])
        #expect(plain.status == 415)
        let malformed = try await post("demo", "v=0\r\nthis is not sdp\r\n")
        #expect(malformed.status == 400)
        #expect(malformed.body.contains("SDP line 2"), "\(malformed.body)")
        let vp8Only = """
            v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
            m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n\
            a=fingerprint:sha-256 BC:F9:41:7F:B6:1B:03:46:29:34:84:5E:98:9A:4D:91:6B:06:83:3E:95:BA:09:52:8D:31:C8:9F:4D:C5:24:A8\r\n\
            a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n
            """
        let noCodec = try await post("demo", vp8Only)
        #expect(noCodec.status == 406)
        #expect(noCodec.body.contains("video"), "\(noCodec.body)")
        let noBundle = offer.replacingOccurrences(of: "a=group:BUNDLE 0 1\r\n", with: "")
        let unbundled = try await post("demo", noBundle)
        #expect(unbundled.status == 406)
        #expect(unbundled.body.contains("BUNDLE"))
    }
}
