import BridgeSDP
import BridgeSRTP
import BridgeWebRTC
import Foundation
import Hummingbird
import Synchronization

/// A test-only WebRTC endpoint: answers an offer sendrecv and sends every RTP packet it decrypts straight
/// back under the answer's SSRC. Interop tests (aiortc, Chromium) use it to prove ICE, DTLS and SRTP both
/// ways before any source exists. Enabled only with `MEDIABRIDGE_TEST_ENDPOINTS=1` in the environment.
///
/// `POST /api/v1/test/echo[?profile=gcm|sha1][&transport=tcp]` with `application/sdp` → 201 and the answer;
/// `GET /api/v1/test/echo/stats` → packets received and echoed, and the SRTP profile;
/// `POST /api/v1/test/stall?ms=N` → 202, and every WebRTC loop is held for N ms.
final class EchoTestEndpoint: Sendable {
    struct Stats: ResponseCodable, Equatable {
        var sessions = 0
        var connected = 0
        var received = 0
        var receivedRTCP = 0
        var echoed = 0
        var profile: String?
        var closed: [String] = []
    }

    let server: WebRTCTransportServer
    let stats = Mutex(Stats())

    init(server: WebRTCTransportServer) {
        self.server = server
    }

    static var isEnabled: Bool { ProcessInfo.processInfo.environment["MEDIABRIDGE_TEST_ENDPOINTS"] == "1" }

    func addRoutes(to router: Router<GatewayRequestContext>) {
        let endpoint = self
        router.post("api/v1/test/echo") { request, context in
            try await endpoint.answer(request: request, context: context)
        }
        router.get("api/v1/test/echo/stats") { _, _ in
            endpoint.stats.withLock { $0 }
        }
        // A test-only slow loop: every WebRTC loop is held for `ms` (at most 2 s), as an overloaded machine
        // would hold it, so that a test can watch shedding and admission against the real binary.
        router.post("api/v1/test/stall") { request, _ in
            let milliseconds = min(max(Int(request.uri.queryParameters["ms"] ?? "") ?? 0, 0), 2_000)
            for shard in endpoint.server.shards {
                shard.eventLoop.execute { usleep(UInt32(milliseconds) * 1_000) }
            }
            return Self.plain(.accepted, "stalling \(endpoint.server.shards.count) loops for \(milliseconds) ms\n")
        }
        router.get("test/echo") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: Self.page)))
        }
    }

    private func answer(request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024)
        let offer: SessionDescription
        do {
            offer = try SessionDescription(parsing: Array(buffer: body))
        } catch {
            return Self.plain(.badRequest, "\(error)\n")
        }
        let profiles: [SRTPProfile] = request.uri.queryParameters["profile"] == "sha1" ? [.aes128CMHMACSHA1_80] : [.aeadAES128GCM, .aes128CMHMACSHA1_80]
        let transport = server.newTransportParameters()
        var options = WHEPAnswerBuilder.Options()
        options.receivesMedia = true
        let answer: WHEPAnswerBuilder.Answer
        do {
            answer = try WHEPAnswerBuilder(transport: transport, options: options).answer(source: offer, offer: offer)
        } catch {
            return Self.plain(.notAcceptable, "\(error)\n")
        }
        // Each payload type goes back under the SSRC the answer announced for its section.
        var ssrcByPayloadType: [UInt8: UInt32] = [:]
        for plan in answer.tracks {
            if let ssrc = plan.ssrc, let codec = plan.decision.peerCodec { ssrcByPayloadType[codec.payloadType] = ssrc }
        }
        let table = ssrcByPayloadType
        stats.withLock { $0.sessions += 1 }
        try await server.startSession(transport: transport, offer: offer, profiles: profiles) { [self] event, send in
            switch event {
            case .connected(let profile):
                stats.withLock { $0.connected += 1; $0.profile = profile.openSSLName }
            case .rtp(var packet):
                guard packet.count >= 12, let ssrc = table[packet[1] & 0x7F] else { return }
                packet[8] = UInt8(ssrc >> 24); packet[9] = UInt8(ssrc >> 16 & 0xFF)
                packet[10] = UInt8(ssrc >> 8 & 0xFF); packet[11] = UInt8(ssrc & 0xFF)
                stats.withLock { $0.received += 1; $0.echoed += 1 }
                send(packet)
            case .rtcp:
                stats.withLock { $0.receivedRTCP += 1 }
            case .closed(let reason):
                stats.withLock { $0.closed.append(reason) }
            case .selectedAddress:
                break
            }
        }
        var text = answer.description.write()
        if request.uri.queryParameters["transport"] == "tcp" {
            // Only ICE-TCP candidates: the browser must reach the gateway over its TCP port.
            text = text.split(separator: "\r\n", omittingEmptySubsequences: false)
                .filter { !($0.hasPrefix("a=candidate:") && $0.contains(" udp ")) }.joined(separator: "\r\n")
        }
        return Response(
            status: .created,
            headers: [.contentType: "application/sdp", .location: "/api/v1/test/echo/\(transport.iceUfrag)"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A page for browser interop tests: sends the fake microphone to the echo endpoint and exposes
    /// `runEcho(profile, seconds)`, which resolves to the transport and RTP stats from `getStats()`.
    static let page = """
        <!doctype html><meta charset="utf-8"><title>MediaBridge echo test</title>
        <script>
        async function runEcho(profile, seconds, transport) {
          const pc = new RTCPeerConnection();
          const stream = await navigator.mediaDevices.getUserMedia({audio: true});
          for (const track of stream.getTracks()) pc.addTrack(track, stream);
          await pc.setLocalDescription(await pc.createOffer());
          const reply = await fetch("/api/v1/test/echo?profile=" + profile + "&transport=" + (transport || "udp"), {method: "POST", headers: {"Content-Type": "application/sdp"}, body: pc.localDescription.sdp});
          if (reply.status !== 201) return {error: reply.status + " " + await reply.text()};
          await pc.setRemoteDescription({type: "answer", sdp: await reply.text()});
          const started = performance.now();
          let result = {};
          while (performance.now() - started < seconds * 1000) {
            await new Promise(r => setTimeout(r, 250));
            const stats = await pc.getStats();
            result = {connection: pc.connectionState, inbound: 0, outbound: 0, audioLevel: 0};
            stats.forEach(s => {
              if (s.type === "transport") { result.dtlsState = s.dtlsState; result.tlsVersion = s.tlsVersion; result.srtpCipher = s.srtpCipher; result.dtlsCipher = s.dtlsCipher; }
              if (s.type === "inbound-rtp" && s.kind === "audio") { result.inbound = s.packetsReceived; result.audioLevel = s.audioLevel || 0; }
              if (s.type === "outbound-rtp" && s.kind === "audio") result.outbound = s.packetsSent;
              if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
                const local = stats.get(s.localCandidateId);
                if (local) result.protocol = local.protocol;
              }
            });
            if (result.inbound > 50) break;
          }
          pc.close();
          return result;
        }
        </script>
        """

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
