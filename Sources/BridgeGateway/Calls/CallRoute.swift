import BridgeCore
import BridgeRTP
import BridgeSDP
import BridgeSRTP
import Foundation
import Logging
import NIOCore

/// One call route: the browsers on its call page, and at most one call at a time between one of them and
/// a SIP phone, in either direction.
///
/// Inbound: the SIP edge hands over an INVITE → every connected page rings → the first to accept gets the
/// gateway's WebRTC offer made from the phone's SDP → its answer becomes the 200 OK → media flows through a
/// `CallBridge`. No page connected: the route's fallback status (486 by default). Outbound: a page sends
/// its offer and a target → INVITE → the phone's answer becomes the page's answer.
actor CallRoute: CallRouteHandler, SIPCallObserver {
    struct Settings: Sendable {
        var name: String
        var token: Redacted?
        /// Sent when no page is connected (486 Busy Here, 603 Decline, 480…).
        var fallbackStatus = 486
        /// Address the phone sends RTP to (SDP `c=`), and the address RTP sockets bind.
        var rtpAdvertisedAddress = "127.0.0.1"
        var rtpBindHost = "127.0.0.1"
        var rtpPorts: ClosedRange<Int> = 20_000...20_099
        /// Call pages connected at once (`calls[].max_pages`); the next one is refused.
        var maxPages = 16

        init(name: String) {
            self.name = name
        }
    }

    nonisolated let routeName: String
    let settings: Settings
    let server: WebRTCTransportServer
    let logger: Logger
    let metrics: CallMetrics?
    var placer: (any SIPCallPlacer)?

    struct Page {
        let continuation: AsyncStream<CallMessage>.Continuation
    }

    final class ActiveCall {
        let control: any SIPCallControl
        let inbound: Bool
        var page: Int?
        var translator: SIPMediaTranslator
        var leg: PhoneRTPLeg?
        var bridge: NIOLoopBound<CallBridge>?
        /// Both legs' RTCP reports, every `CallRoute.reportInterval`.
        var reports: RepeatedTask?
        var ufrag: String?
        var phoneOffer: SessionDescription?
        var browserOffer: SessionDescription?
        var answeredBrowser = false
        /// The page's answer (outbound) has gone out; `connected` may follow.
        var browserHasAnswer = false
        var established = false
        /// The SIP description the gateway sent the phone last (answer or offer): what a re-offer starts from.
        var lastSIPSDP: SessionDescription?
        /// Whether the browser holds the call, and the hold or resume re-INVITE waiting for its answer.
        var heldByBrowser = false
        var pendingHold: (hold: Bool, sdp: SessionDescription)?
        /// The page made the offer (outbound calls, inbound late offers): the phone's SDP is the answer.
        var pageOffered: Bool { !inbound || phoneOffer == nil }

        init(control: any SIPCallControl, inbound: Bool, translator: SIPMediaTranslator) {
            self.control = control
            self.inbound = inbound
            self.translator = translator
        }
    }

    var pages: [Int: Page] = [:]
    var nextPage = 0
    var call: ActiveCall?
    /// A page's dial between its first check and the call's creation (the actor is re-entered while the
    /// RTP ports are bound): a second dial, or an INVITE, then finds the route busy instead of leaving an
    /// orphan call.
    var dialing = false

    init(settings: Settings, server: WebRTCTransportServer, logger: Logger, metrics: GatewayMetrics? = nil) {
        self.routeName = settings.name
        self.settings = settings
        self.server = server
        self.logger = logger
        self.metrics = metrics.map { CallMetrics(route: settings.name, factory: $0.factory) }
    }

    func setPlacer(_ placer: any SIPCallPlacer) {
        self.placer = placer
    }

    var state: String {
        guard let call else { return "idle" }
        if call.bridge != nil { return "connected" }
        return call.inbound ? "ringing" : "calling"
    }

    // MARK: Pages

    /// The new page's number, or nil when the route already has `maxPages` pages.
    func attach(_ continuation: AsyncStream<CallMessage>.Continuation) -> Int? {
        guard pages.count < settings.maxPages else { return nil }
        nextPage += 1
        pages[nextPage] = Page(continuation: continuation)
        continuation.yield(CallMessage("hello", route: routeName, state: state))
        if let call, call.inbound, call.page == nil {
            continuation.yield(CallMessage("ringing", call: call.control.id.rawValue, caller: call.control.caller))
        }
        return nextPage
    }

    func detach(_ page: Int) {
        pages.removeValue(forKey: page)?.continuation.finish()
        if let call, call.page == page {
            call.control.hangUp()
            end(reason: "the browser left", status: nil)
        }
    }

    func send(_ message: CallMessage, to page: Int?) {
        guard let page else { return }
        pages[page]?.continuation.yield(message)
    }

    private func broadcast(_ message: CallMessage) {
        for page in pages.values { page.continuation.yield(message) }
    }

    func handle(_ message: CallMessage, from page: Int) async {
        switch message.type {
        case "accept": await accept(from: page)
        case "reject":
            guard let call, call.inbound, call.page == nil else { return }
            call.control.reject(status: 603)
            end(reason: "declined in the browser", status: 603)
        case "answer":
            guard let sdp = message.sdp else { return }
            await browserAnswered(sdp, from: page)
        case "offer":
            guard let sdp = message.sdp else { return }
            await browserOfferedForLateOffer(sdp, from: page)
        case "dial":
            guard let target = message.target, let sdp = message.sdp else { return }
            await dial(target, offer: sdp, from: page)
        case "hold", "resume":
            hold(message.type == "hold", from: page)
        case "candidate", "end-of-candidates":
            // Trickled browser candidates need nothing: the gateway is ICE-lite and learns the browser's
            // address from its connectivity checks (peer-reflexive), as the WHEP PATCH does.
            break
        case "hangup":
            guard let call, call.page == page else { return }
            call.control.hangUp()
            end(reason: "hung up in the browser", status: nil)
        default:
            send(CallMessage("error", message: "unknown message type \"\(message.type)\""), to: page)
        }
    }

    // MARK: Inbound calls

    nonisolated func incomingCall(_ call: any SIPCallControl) {
        Task { await self.ring(call) }
    }

    private func ring(_ control: any SIPCallControl) {
        guard call == nil, !dialing else { control.reject(status: 486); return }
        guard !pages.isEmpty else {
            logger.info("call route \(routeName): \(control.caller) called, no page open: \(settings.fallbackStatus)")
            control.reject(status: settings.fallbackStatus)
            return
        }
        // A late offer (INVITE without SDP) leaves phoneOffer nil: the accepting page then offers instead.
        var translator = newTranslator(port: 0)
        if let offer = control.remoteOffer {
            // Nothing a browser can take (G.729 only, T.38…): 488 at once, no page rings for nothing.
            do { _ = try translator.webRTCOffer(fromSIPOffer: offer) } catch {
                logger.info("call route \(routeName): \(control.caller) offered nothing a browser takes: \(error)")
                control.reject(status: 488)
                return
            }
        }
        let active = ActiveCall(control: control, inbound: true, translator: translator)
        active.phoneOffer = control.remoteOffer
        call = active
        control.observe(self)
        control.ring()
        broadcast(CallMessage("ringing", call: control.id.rawValue, caller: control.caller))
    }

    private func accept(from page: Int) async {
        guard let call, call.inbound, call.page == nil else {
            send(CallMessage("error", message: "no call to answer"), to: page)
            return
        }
        call.page = page
        for other in pages.keys where other != page { send(CallMessage("taken", call: call.control.id.rawValue), to: other) }
        do {
            // The phone's socket lives on the loop of the browser session it is bridged to.
            let leg = try await PhoneRTPLeg.bind(host: settings.rtpBindHost, ports: settings.rtpPorts,
                                                 on: server.eventLoop(forUfrag: call.translator.transport.iceUfrag))
            call.leg = leg
            call.translator = newTranslator(port: leg.port, transport: call.translator.transport)
            guard let phoneOffer = call.phoneOffer else {
                // Late offer: the page makes the offer, the 200 OK carries it, the ACK brings the answer.
                send(CallMessage("send-offer", call: call.control.id.rawValue), to: page)
                return
            }
            let offer = try call.translator.webRTCOffer(fromSIPOffer: phoneOffer)
            call.browserOffer = offer
            send(CallMessage("offer", call: call.control.id.rawValue, sdp: offer.write()), to: page)
        } catch {
            call.control.reject(status: 488)
            fail(call, "cannot offer the call to the browser: \(error)", status: 488)
        }
    }

    private func browserAnswered(_ text: String, from page: Int) async {
        guard let call, call.page == page, call.inbound, let phoneOffer = call.phoneOffer, let leg = call.leg else { return }
        do {
            let answer = try SessionDescription(parsing: text)
            let (sipAnswer, plans) = try call.translator.sipAnswer(fromWebRTCAnswer: answer, sipOffer: phoneOffer)
            try await startMedia(call, browserSDP: answer, phoneSDP: phoneOffer, ourBrowserSDP: call.browserOffer, plans: plans, leg: leg)
            call.control.answer(sdp: sipAnswer)
            call.lastSIPSDP = sipAnswer
        } catch {
            call.control.hangUp()
            fail(call, "cannot answer the phone: \(error)", status: nil)
        }
    }

    /// Late offer: the page's offer becomes the 200 OK's SDP; the phone's answer comes with the ACK.
    private func browserOfferedForLateOffer(_ text: String, from page: Int) async {
        guard let call, call.inbound, call.page == page, call.phoneOffer == nil, call.browserOffer == nil else { return }
        do {
            let offer = try SessionDescription(parsing: text)
            let sipOffer = try call.translator.sipOffer(fromWebRTCOffer: offer)
            call.browserOffer = offer
            call.control.answer(sdp: sipOffer)
            call.lastSIPSDP = sipOffer
        } catch {
            call.control.reject(status: 488)
            fail(call, "cannot offer the browser's media to the phone: \(error)", status: 488)
        }
    }

    // MARK: Outbound calls

    private func dial(_ target: String, offer text: String, from page: Int) async {
        guard call == nil, !dialing else { send(CallMessage("error", message: "a call is already in progress"), to: page); return }
        guard let placer else { send(CallMessage("error", message: "SIP is not enabled on this gateway"), to: page); return }
        dialing = true
        defer { dialing = false }
        var bound: PhoneRTPLeg?
        do {
            let offer = try SessionDescription(parsing: text)
            let transport = server.newTransportParameters()
            let leg = try await PhoneRTPLeg.bind(host: settings.rtpBindHost, ports: settings.rtpPorts,
                                                 on: server.eventLoop(forUfrag: transport.iceUfrag))
            bound = leg
            var translator = newTranslator(port: leg.port, transport: transport)
            let sipOffer = try translator.sipOffer(fromWebRTCOffer: offer)
            let control = try placer.placeCall(route: routeName, to: target, offer: sipOffer, observer: self)
            let active = ActiveCall(control: control, inbound: false, translator: translator)
            active.page = page
            active.leg = leg
            active.browserOffer = offer
            active.lastSIPSDP = sipOffer
            call = active
            send(CallMessage("progress", call: control.id.rawValue, target: target, status: 100), to: page)
        } catch {
            // The ports go back to the range when the offer cannot be translated or the call not placed.
            bound?.close()
            send(CallMessage("ended", reason: "\(error)"), to: page)
        }
    }

    private func phoneAnswered(_ sdp: SessionDescription) async {
        // Outbound calls, and inbound late offers: the page offered, the phone answers.
        guard let call, call.pageOffered, !call.answeredBrowser, let offer = call.browserOffer, let leg = call.leg else { return }
        call.answeredBrowser = true
        do {
            let (answer, plans) = try call.translator.webRTCAnswer(fromSIPAnswer: sdp, webRTCOffer: offer)
            try await startMedia(call, browserSDP: offer, phoneSDP: sdp, ourBrowserSDP: answer, plans: plans, leg: leg)
            send(CallMessage("answer", call: call.control.id.rawValue, sdp: answer.write()), to: call.page)
            call.browserHasAnswer = true
            if call.established { send(CallMessage("connected", call: call.control.id.rawValue), to: call.page) }
        } catch {
            call.control.hangUp()
            fail(call, "cannot bridge the phone's answer: \(error)", status: nil)
        }
    }

    // MARK: SIP events

    nonisolated func call(_ id: SIPCallID, didChange event: SIPCallEvent) {
        Task { await self.sipEvent(id, event) }
    }

    private func sipEvent(_ id: SIPCallID, _ event: SIPCallEvent) async {
        guard let call, call.control.id == id else { return }
        switch event {
        case .progress(let status, let sdp):
            send(CallMessage("progress", call: id.rawValue, status: status), to: call.page)
            if let sdp { await phoneAnswered(sdp) }
        case .answered(let sdp):
            await phoneAnswered(sdp)
        case .established:
            call.established = true
            // Outbound: the page hears "connected" only after it has the answer (the two events race here).
            if !call.pageOffered || call.browserHasAnswer { send(CallMessage("connected", call: id.rawValue), to: call.page) }
        case .reoffered(let sdp):
            let address = Self.mediaAddress(of: sdp)
            if let bridge = call.bridge { bridge.eventLoop.execute { bridge.value.phoneMoved(to: address) } }
            phoneReoffered(sdp)
        case .reofferAnswered(let sdp):
            reofferAnswered(sdp)
        case .reofferRejected(_, let reason):
            reofferRejected(reason)
        case .dtmf(let digit, let duration):
            if let bridge = call.bridge { bridge.eventLoop.execute { bridge.value.sendDigitToBrowser(digit, durationMilliseconds: duration) } }
        case .ended(let reason, let status):
            end(reason: reason, status: status)
        }
    }

    // MARK: Media

    private func startMedia(_ call: ActiveCall, browserSDP: SessionDescription, phoneSDP: SessionDescription,
                            ourBrowserSDP: SessionDescription?, plans: [TrackPlan], leg: PhoneRTPLeg) async throws {
        guard let audio = plans.first(where: { $0.media == "audio" }), let plan = Self.audioPlan(audio, browserSDP: browserSDP, ourBrowserSDP: ourBrowserSDP, phoneSDP: phoneSDP) else {
            throw CallError("no audio in common")
        }
        let phoneAddress = Self.mediaAddress(of: phoneSDP)
        let srtp = try PhoneSRTP.make(phoneAudio: phoneSDP.media.first { $0.media == "audio" && !$0.isRejected },
                                      ourKey: call.translator.sipLeg.sdesKey)
        let server = self.server
        let transport = call.translator.transport
        let ufrag = transport.iceUfrag
        let page = call.page
        let loop = server.eventLoop(forUfrag: ufrag)
        let bridge = try await loop.submit { () throws -> NIOLoopBound<CallBridge> in
            let bridge = try CallBridge(
                plan: plan, phoneAddress: phoneAddress, srtp: srtp,
                sendToPhone: { packets, destination in leg.send(packets, to: destination) },
                sendRTCPToPhone: { packet, destination in leg.sendRTCP(packet, to: destination, muxed: plan.phoneRTCPMux) },
                sendToBrowser: { rtp, rtcp in server.sendOnLoop(rtp: rtp, rtcp: rtcp, ufrag: ufrag) },
                onDigit: { [weak self] digit, fromPhone in
                    guard let self else { return }
                    Task { await self.send(CallMessage("dtmf", digit: String(digit), from: fromPhone ? "phone" : "browser"), to: page) }
                },
                now: WebRTCDatagramHandler.now)
            leg.deliver(to: bridge)
            return NIOLoopBound(bridge, eventLoop: loop)
        }.get()
        call.bridge = bridge
        call.ufrag = ufrag
        // The first report goes out soon, so that the peers' next reports already carry a round trip.
        call.reports = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: Self.reportInterval) { _ in
            bridge.value.sendReports()
        }
        try await server.startSession(transport: transport, offer: browserSDP, profiles: [.aeadAES128GCM, .aes128CMHMACSHA1_80]) { [weak self] event, _ in
            switch event {
            case .rtp(let bytes): bridge.value.handleBrowserPacket(bytes)
            case .rtcp(let bytes): bridge.value.handleBrowserRTCP(bytes)
            case .closed(let reason):
                guard let self else { return }
                Task { await self.browserSessionClosed(ufrag: ufrag, reason: reason) }
            default: break
            }
        }
    }

    /// The call in progress as `GET /api/v1/calls` shows it, with each leg's RTCP figures.
    func activeCall() async -> ActiveCallSummary? {
        guard let call else { return nil }
        var summary = ActiveCallSummary(id: call.control.id.rawValue, direction: call.inbound ? "inbound" : "outbound",
                                        established: call.established)
        if let bridge = call.bridge {
            // The bridge lives on the media loop: read it there.
            let legs = try? await bridge.eventLoop.submit { bridge.value.statistics }.get()
            summary.phone = legs?.phone
            summary.browser = legs?.browser
        }
        return summary
    }

    /// RFC 3550's minimum report interval for a two-party session.
    static let reportInterval = TimeAmount.seconds(5)

    private func browserSessionClosed(ufrag: String, reason: String) {
        guard let call, call.ufrag == ufrag else { return }
        call.control.hangUp()
        end(reason: "browser session closed: \(reason)", status: nil)
    }

    static func audioPlan(_ plan: TrackPlan, browserSDP: SessionDescription, ourBrowserSDP: SessionDescription?, phoneSDP: SessionDescription) -> CallBridge.AudioPlan? {
        let phoneCodecDescription: CodecDescription
        let browserCodecDescription: CodecDescription
        switch plan.decision {
        case .passThrough(let source, let peer, _): (phoneCodecDescription, browserCodecDescription) = (source, peer)
        case .transcode(let source, let peer): (phoneCodecDescription, browserCodecDescription) = (source, peer)
        case .unsupported: return nil
        }
        guard let phoneCodec = MediaCodec(phoneCodecDescription.kind), let browserCodec = MediaCodec(browserCodecDescription.kind) else { return nil }
        let phoneAudio = phoneSDP.media.first { $0.media == "audio" && !$0.isRejected }
        let browserAudio = browserSDP.media.first { $0.media == "audio" && !$0.isRejected }
        // Telephone events at each codec's own clock when offered, else at any clock (the bridge rescales).
        func events(in section: MediaDescription?, clockRate: Int) -> (payloadType: UInt8, clockRate: Int)? {
            let events = section?.codecs.filter { $0.kind == .telephoneEvent } ?? []
            return (events.first { $0.clockRate == clockRate } ?? events.first).map { ($0.payloadType, $0.clockRate) }
        }
        // Our SSRC towards the browser is the one our own browser-side SDP announced.
        let ours = (ourBrowserSDP ?? browserSDP).media.first { $0.media == "audio" }?.ssrcAttributes.first?.ssrc
        // The phone's codec as our browser-side SDP offered it (a browser may send it though it answered another).
        // Only a transcoded call needs it: in a pass-through the browser's codec is the phone's already.
        let transcoded = if case .transcode = plan.decision { true } else { false }
        let ourAudio = transcoded ? ourBrowserSDP?.media.first { $0.media == "audio" && !$0.isRejected } : nil
        let phoneCodecOffered = ourAudio?.codecs.first { $0.kind == phoneCodecDescription.kind && $0.clockRate == phoneCodecDescription.clockRate }
        let phoneCodecEvents = ourAudio?.codecs.first { $0.kind == .telephoneEvent && $0.clockRate == phoneCodecDescription.clockRate }
        return CallBridge.AudioPlan(
            phonePayloadType: phoneCodecDescription.payloadType, phoneCodec: phoneCodec, phoneClockRate: phoneCodecDescription.clockRate,
            browserPayloadType: browserCodecDescription.payloadType, browserCodec: browserCodec,
            browserClockRate: browserCodecDescription.clockRate,
            phoneDTMF: events(in: phoneAudio, clockRate: phoneCodecDescription.clockRate),
            browserDTMF: events(in: browserAudio, clockRate: browserCodecDescription.clockRate),
            browserPhoneCodec: phoneCodecOffered.map { ($0.payloadType, phoneCodecEvents?.payloadType) },
            browserSSRC: ours ?? plan.ssrc ?? UInt32.random(in: 1...UInt32.max),
            phoneRTCPMux: phoneAudio?.rtcpMux ?? false,
            phoneRTCPPort: phoneAudio?.rtcpAttribute.flatMap { UInt16(exactly: $0.port) })
    }

    /// Where the phone says it receives audio (`c=` and the audio `m=` port); nil for hold (0.0.0.0 or ::).
    static func mediaAddress(of sdp: SessionDescription) -> TransportAddress? {
        guard let audio = sdp.media.first(where: { $0.media == "audio" && !$0.isRejected }),
              let connection = sdp.connection(for: audio), let port = UInt16(exactly: audio.port), port > 0,
              let address = TransportAddress(connection.address, port: port), !address.isUnspecified else { return nil }
        return address
    }

    private func newTranslator(port: Int, transport: WebRTCTransportParameters? = nil) -> SIPMediaTranslator {
        SIPMediaTranslator(transport: transport ?? server.newTransportParameters(),
                           sipLeg: SIPLegParameters(address: settings.rtpAdvertisedAddress, ports: [port], sdesKey: PhoneSRTP.newKey()),
                           sessionID: UInt64.random(in: 1...UInt64(Int64.max)))
    }

    private func fail(_ call: ActiveCall, _ message: String, status: Int?) {
        logger.warning("call route \(routeName): \(message)")
        end(reason: message, status: status)
    }

    private func end(reason: String, status: Int?) {
        guard let call else { return }
        self.call = nil
        if let page = call.page {
            send(CallMessage("ended", call: call.control.id.rawValue, reason: reason, status: status), to: page)
        } else {
            broadcast(CallMessage("ended", call: call.control.id.rawValue, reason: reason, status: status))
        }
        let server = self.server, metrics = self.metrics, logger = self.logger, routeName = self.routeName
        let leg = call.leg, ufrag = call.ufrag, bridge = call.bridge
        call.reports?.cancel()
        let loop = server.eventLoop(forUfrag: call.translator.transport.iceUfrag)
        loop.execute {
            if let ufrag { server.closeOnLoop(ufrag: ufrag, reason: "call ended") }
            leg?.close()
            guard let drops = bridge?.value.drops, drops.total > 0 else { return }
            metrics?.record(drops)
            logger.debug("call route \(routeName): phone packets dropped for their source: \(drops.nonZero.map { "\($0.reason) \($0.count)" })")
        }
    }
}
