import BridgeCore
import BridgeDTLS
import BridgeICE
import NIOCore
import SwarmSupport

/// One bridged call of the swarm and both its ends, on one event loop: the phone (SIP UAC and PCMU RTP)
/// calling route `bench{index}`, and the browser on that route's call page (WebSocket signalling and a
/// client-role WebRTC session) answering it. `establish` walks the call up step by step, each step bounded;
/// `CallGroup` then sends both ends' media every 20 ms.
final class BenchCall {
    struct Setup: Sendable {
        var mode: CallMode
        var httpPort: Int
        var sipPort: Int
        var dtlsContext: DTLSContext
        var stepTimeout: TimeAmount
    }

    let index: Int
    let mode: CallMode
    let eventLoop: any EventLoop
    var page: CallPageSocket?
    var phone: PhoneSIP?
    var phoneRTP: PhoneRTP?
    var browser: SwarmViewer?
    var browserStream: RTPStream?
    /// Set when both ends may send: the phone has the gateway's RTP address, the browser's DTLS is up.
    var mediaStart: NIODeadline?
    var packetsDue = 0
    var failure: String?

    var route: String { "bench\(index)" }

    init(index: Int, mode: CallMode, eventLoop: any EventLoop) {
        self.index = index
        self.mode = mode
        self.eventLoop = eventLoop
    }

    /// Page attached, INVITE out, page rings and accepts, offer answered by the browser, 2xx ACKed with the
    /// phone's RTP pointed at the gateway. The WebRTC handshake completes afterwards (see `CallGroup`).
    static func establish(_ call: NIOLoopBound<BenchCall>, setup: Setup) async throws {
        let loop = call.eventLoop
        let index = try await loop.submit { call.value.index }.get()
        let route = "bench\(index)"
        let page = try await CallPageSocket.connect(on: loop, port: setup.httpPort, route: route)
        try await loop.submit { call.value.page = page.value }.get()
        _ = try await wait(page, "hello", setup.stepTimeout)

        let rtp = try await PhoneRTP.bind(on: loop)
        let sip = try await PhoneSIP.bind(on: loop, gatewayPort: setup.sipPort, user: route)
        try await loop.submit {
            call.value.phoneRTP = rtp.value
            call.value.phone = sip.value
            sip.value.invite(rtpPort: rtp.value.port)
        }.get()

        let ringing = try await wait(page, "ringing", setup.stepTimeout)
        try await loop.submit { page.value.send(CallPageMessage("accept", call: ringing.call)) }.get()
        let offer = try await wait(page, "offer", setup.stepTimeout)
        guard let offerSDP = offer.sdp else { throw SwarmError("offer without SDP") }
        let gateway = try GatewayTransport(parsing: offerSDP, media: "audio", setups: [.actpass, .passive])
        let local = ICELiteAgent.Credentials(ufrag: "call\(index)", pwd: "callswarm-browser-\(index)-password-0123456789")
        let ssrc = UInt32.random(in: 1...UInt32.max)
        let answer = try BrowserAnswer.make(offer: offerSDP, mode: setup.mode, ufrag: local.ufrag, pwd: local.pwd,
                                            fingerprint: setup.dtlsContext.certificate.sha256Fingerprint, ssrc: ssrc)
        try await SwarmViewer.bind(on: loop, local: local, gateway: gateway, dtlsContext: setup.dtlsContext) { viewer in
            call.value.browser = viewer
            call.value.browserStream = RTPStream(payloadType: answer.payloadType, samplesPerPacket: setup.mode.browserCodec.samplesPerPacket,
                                                 ssrc: ssrc)
        }
        try await loop.submit { page.value.send(CallPageMessage("answer", call: offer.call, sdp: answer.sdp)) }.get()

        let final = try await loop.flatSubmit {
            sip.value.mailbox.wait(for: "final response to the INVITE", timeout: setup.stepTimeout) { $0.method == "INVITE" }
        }.get()
        guard (200..<300).contains(final.status) else { throw SwarmError("INVITE answered \(final.status)") }
        guard let media = final.media else { throw SwarmError("the gateway's 2xx has no audio address") }
        try await loop.submit { try rtp.value.start(sendingTo: media) }.get()
    }

    private static func wait(_ page: NIOLoopBound<CallPageSocket>, _ type: String, _ timeout: TimeAmount) async throws -> CallPageMessage {
        try await page.eventLoop.flatSubmit {
            page.value.mailbox.wait(for: "\"\(type)\" on the call page", timeout: timeout) { $0.type == type || $0.type == "ended" || $0.type == "error" }
        }.get().refusing(expected: type)
    }

    /// Hangs up from the phone (BYE) and waits (bounded) for its 200, then closes every socket.
    static func hangUp(_ call: NIOLoopBound<BenchCall>, timeout: TimeAmount) async -> Bool {
        let loop = call.eventLoop
        let answered: Bool
        do {
            let response = try await loop.flatSubmit { () -> EventLoopFuture<PhoneSIP.Event> in
                guard let phone = call.value.phone, !phone.ended else { return loop.makeFailedFuture(SwarmError("no call to hang up")) }
                phone.bye()
                return phone.mailbox.wait(for: "200 for the BYE", timeout: timeout) { $0.method == "BYE" }
            }.get()
            answered = (200..<300).contains(response.status)
        } catch {
            answered = false
        }
        try? await loop.submit { call.value.close() }.get()
        return answered
    }

    func close() {
        mediaStart = nil
        page?.close()
        phone?.close()
        phoneRTP?.close()
        browser?.close()
    }

    /// Sends what is due for `now` on both ends (at most a few packets: a late tick catches up, a stall does not flood).
    func sendMedia(now: NIODeadline, payloads: TonePayloads, browserPayloads: [[UInt8]]) {
        guard let mediaStart, let phoneRTP, let browser, var stream = browserStream else { return }
        let due = Int((now - mediaStart).nanoseconds / 20_000_000) + 1
        var budget = 3
        while packetsDue < due && budget > 0 {
            phoneRTP.send(payload: payloads.pcmu[packetsDue % payloads.pcmu.count])
            browser.send(rtp: stream.packet(payload: browserPayloads[packetsDue % browserPayloads.count]))
            packetsDue += 1
            budget -= 1
        }
        if packetsDue < due { packetsDue = due }
        browserStream = stream
        phoneRTP.flush()
        browser.flush()
    }
}

extension CallPageMessage {
    /// The message itself, or an error when the page said the call ended or failed instead.
    func refusing(expected: String) throws -> CallPageMessage {
        guard type == expected else {
            throw SwarmError("expected \"\(expected)\" on the call page, got \(type): \(reason ?? message ?? "")")
        }
        return self
    }
}
