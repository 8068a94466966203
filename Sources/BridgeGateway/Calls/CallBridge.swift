import BridgeCore
import BridgeMedia
import BridgeRTP
import BridgeSDP

/// Audio both ways between one phone leg (plain RTP) and one browser session (SRTP through the WebRTC
/// socket), on the loop both live on.
///
/// When both ends share a codec, packets pass through with the SSRC (and payload type) rewritten; otherwise
/// the gateway transcodes (phone G.711/G.722 to browser Opus and back). RFC 4733 telephone events pass
/// between the legs with their payload type remapped, end-packet triplet intact, and when the legs count
/// time at different rates their timestamps and durations are rescaled; digits are reported to the page.
/// Each leg has its own RTCP (sender and receiver reports). The phone's address is learned by symmetric
/// RTP latching, which also decides which sources' RTP and RTCP are the phone's (`SymmetricRTPLatch`).
final class CallBridge {
    struct AudioPlan {
        var phonePayloadType: UInt8
        var phoneCodec: MediaCodec
        var phoneClockRate: Int
        var browserPayloadType: UInt8
        var browserCodec: MediaCodec
        var browserClockRate: Int
        var phoneDTMF: (payloadType: UInt8, clockRate: Int)?
        var browserDTMF: (payloadType: UInt8, clockRate: Int)?
        /// Only in a transcoded call where the gateway offered the browser the phone's own codec too: the payload
        /// types (audio, and telephone events at that codec's clock) the browser may still send it on. Chromium
        /// sends the offer's first codec it supports even when its answer left that codec out; such packets
        /// reach the phone untranscoded.
        var browserPhoneCodec: (payloadType: UInt8, events: UInt8?)?
        /// The gateway's SSRC towards the browser (announced in the browser-side SDP).
        var browserSSRC: UInt32
        /// Whether the phone takes RTCP on its RTP port; otherwise on `phoneRTCPPort`, or the RTP port + 1.
        var phoneRTCPMux = false
        var phoneRTCPPort: UInt16?
    }

    let plan: AudioPlan
    private let srtp: PhoneSRTP?
    private var latch: SymmetricRTPLatch
    private let phoneSSRC = UInt32.random(in: 1...UInt32.max)
    private let toBrowser: AudioTranscoder?
    private let toPhone: AudioTranscoder?
    private var phoneUnwrap = RTPTimestampUnwrapper()
    private var browserUnwrap = RTPTimestampUnwrapper()
    private var phoneLine = RTPOutgoingLine()
    private var browserLine = RTPOutgoingLine()
    private var phoneReports: RTCPLegReporter
    private var browserReports: RTCPLegReporter
    private var lastDigit: [Bool: UInt32] = [:]
    /// While either side holds the call, the browser's audio does not reach the phone (the gateway's SDP
    /// says `sendonly` for the browser's hold and `recvonly` or `inactive` for the phone's).
    private var browserHeld = false
    private var phoneHeld = false
    private(set) var packetsToBrowser = 0
    private(set) var packetsToPhone = 0

    let sendToPhone: ([[UInt8]], TransportAddress) -> Void
    let sendRTCPToPhone: ([UInt8], TransportAddress) -> Void
    let sendToBrowser: (_ rtp: [[UInt8]], _ rtcp: [[UInt8]]) -> Void
    let onDigit: (Character, _ fromPhone: Bool) -> Void
    private let now: () -> MonotonicInstant

    init(plan: AudioPlan, phoneAddress: TransportAddress?, srtp: PhoneSRTP? = nil,
         sendToPhone: @escaping ([[UInt8]], TransportAddress) -> Void,
         sendRTCPToPhone: @escaping ([UInt8], TransportAddress) -> Void = { _, _ in },
         sendToBrowser: @escaping (_ rtp: [[UInt8]], _ rtcp: [[UInt8]]) -> Void,
         onDigit: @escaping (Character, Bool) -> Void,
         now: @escaping () -> MonotonicInstant) throws(MediaError) {
        self.plan = plan
        self.srtp = srtp
        latch = SymmetricRTPLatch(expected: phoneAddress)
        self.sendToPhone = srtp.map { srtp in { packets, destination in sendToPhone(packets.compactMap(srtp.protect), destination) } } ?? sendToPhone
        self.sendRTCPToPhone = srtp.map { srtp in { packet, destination in srtp.protectRTCP(packet).map { sendRTCPToPhone($0, destination) } } } ?? sendRTCPToPhone
        self.sendToBrowser = sendToBrowser
        self.onDigit = onDigit
        self.now = now
        let cname = "mediabridge-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        phoneReports = RTCPLegReporter(ssrc: phoneSSRC, clockRate: plan.phoneClockRate, cname: cname)
        browserReports = RTCPLegReporter(ssrc: plan.browserSSRC, clockRate: plan.browserClockRate, cname: cname)
        if plan.phoneCodec == plan.browserCodec {
            toBrowser = nil
            toPhone = nil
        } else {
            toBrowser = try AudioTranscoder(from: MediaTrackInfo(codec: plan.phoneCodec, clockRate: plan.phoneClockRate), to: plan.browserCodec,
                                            opus: .speech)
            toPhone = try AudioTranscoder(from: MediaTrackInfo(codec: plan.browserCodec, clockRate: plan.browserClockRate, channels: 2), to: plan.phoneCodec)
        }
    }

    var phoneDestination: TransportAddress? { latch.destination }

    /// Phone packets dropped for their source.
    var drops: DropCounters { latch.drops }

    /// A re-INVITE, UPDATE or re-offer answer named the phone's media address: the latch learns again only
    /// when it moved.
    func phoneMoved(to address: TransportAddress?) {
        latch.phoneMoved(to: address)
    }

    func browserHolds(_ held: Bool) {
        browserHeld = held
    }

    func phoneHolds(_ held: Bool) {
        phoneHeld = held
    }

    /// What each leg's RTCP says, for the call API.
    var statistics: (phone: ActiveCallSummary.Leg, browser: ActiveCallSummary.Leg) {
        (ActiveCallSummary.Leg(phoneReports), ActiveCallSummary.Leg(browserReports))
    }

    // MARK: Phone to browser

    func handlePhonePacket(_ received: [UInt8], from source: TransportAddress) {
        guard received.count >= 2 else { return }
        // RTCP on the RTP port (rtcp-mux): packet types 192...223 (RFC 5761 section 4).
        if (192...223).contains(received[1]) { return handlePhoneRTCP(received, from: source) }
        guard let bytes = srtp.map({ $0.unprotect(received) }) ?? received else { return }
        let now = now()
        guard let packet = try? RTPPacket(parsing: bytes), latch.accept(from: source, ssrc: packet.header.ssrc.rawValue, now: now) else { return }
        let payloadType = packet.header.payloadType.rawValue
        let isEvent = payloadType == plan.phoneDTMF?.payloadType
        guard isEvent || payloadType == plan.phonePayloadType else { return }
        phoneReports.received(sequence: packet.header.sequenceNumber.rawValue, timestamp: packet.header.timestamp.rawValue,
                              ssrc: packet.header.ssrc.rawValue, now: now)
        if isEvent {
            noteDigit(packet.payload(in: bytes), timestamp: packet.header.timestamp.rawValue, fromPhone: true)
            guard let phoneDTMF = plan.phoneDTMF, let browserDTMF = plan.browserDTMF else { return }
            let timestamp = toBrowser == nil ? packet.header.timestamp.rawValue
                : Self.rescale(phoneUnwrap.unwrap(packet.header.timestamp), from: plan.phoneClockRate, to: plan.browserClockRate)
            deliverToBrowser(relayedEvent(bytes, packet, payloadType: browserDTMF.payloadType, ssrc: plan.browserSSRC, timestamp: timestamp,
                                          durationScale: (browserDTMF.clockRate, phoneDTMF.clockRate), line: &browserLine, renumber: toBrowser != nil), now: now)
            return
        }
        guard let toBrowser else {
            deliverToBrowser(relayed(bytes, packet, payloadType: plan.browserPayloadType, ssrc: plan.browserSSRC, line: &browserLine), now: now)
            return
        }
        let frame = MediaFrame(codec: plan.phoneCodec, timestamp: phoneUnwrap.unwrap(packet.header.timestamp),
                               clockRate: plan.phoneClockRate, units: [Array(packet.payload(in: bytes))])
        for out in toBrowser.transcode(frame) {
            deliverToBrowser(made(out, payloadType: plan.browserPayloadType, ssrc: plan.browserSSRC, line: &browserLine), now: now)
        }
    }

    private func deliverToBrowser(_ packet: [UInt8], now: MonotonicInstant) {
        browserReports.sent(payloadBytes: packet.count - RTPHeader.fixedLength, timestamp: browserLine.lastTimestamp, now: now)
        packetsToBrowser += 1
        sendToBrowser([packet], [])
    }

    func handlePhoneRTCP(_ received: [UInt8], from source: TransportAddress) {
        guard latch.acceptRTCP(from: source), let bytes = srtp.map({ $0.unprotectRTCP(received) }) ?? received else { return }
        phoneReports.handleRTCP(bytes, now: now(), ntp: NTPClock.now())
    }

    // MARK: Browser to phone

    func handleBrowserPacket(_ bytes: [UInt8]) {
        guard let packet = try? RTPPacket(parsing: bytes) else { return }
        let payloadType = packet.header.payloadType.rawValue
        let phoneCodec = plan.browserPhoneCodec
        let untranscoded = phoneCodec.map { payloadType == $0.payloadType || payloadType == $0.events } ?? false
        let isEvent = payloadType == plan.browserDTMF?.payloadType || (untranscoded && payloadType == phoneCodec?.events)
        guard isEvent || untranscoded || payloadType == plan.browserPayloadType else { return }
        let now = now()
        browserReports.received(sequence: packet.header.sequenceNumber.rawValue, timestamp: packet.header.timestamp.rawValue,
                                ssrc: packet.header.ssrc.rawValue, now: now)
        guard let destination = latch.destination else { return }
        guard !browserHeld, !phoneHeld else { return phoneLine.skipped() }
        let transcoder = untranscoded ? nil : toPhone
        if isEvent {
            noteDigit(packet.payload(in: bytes), timestamp: packet.header.timestamp.rawValue, fromPhone: false)
            guard let phoneDTMF = plan.phoneDTMF, let eventClock = untranscoded ? plan.phoneClockRate : plan.browserDTMF?.clockRate else { return }
            let timestamp = transcoder == nil ? packet.header.timestamp.rawValue
                : Self.rescale(browserUnwrap.unwrap(packet.header.timestamp), from: plan.browserClockRate, to: plan.phoneClockRate)
            deliverToPhone(relayedEvent(bytes, packet, payloadType: phoneDTMF.payloadType, ssrc: phoneSSRC, timestamp: timestamp,
                                        durationScale: (phoneDTMF.clockRate, eventClock), line: &phoneLine, renumber: transcoder != nil),
                           to: destination, now: now)
            return
        }
        guard let toPhone = transcoder else {
            deliverToPhone(relayed(bytes, packet, payloadType: plan.phonePayloadType, ssrc: phoneSSRC, line: &phoneLine), to: destination, now: now)
            return
        }
        let frame = MediaFrame(codec: plan.browserCodec, timestamp: browserUnwrap.unwrap(packet.header.timestamp),
                               clockRate: plan.browserClockRate, units: [Array(packet.payload(in: bytes))])
        for out in toPhone.transcode(frame) {
            deliverToPhone(made(out, payloadType: plan.phonePayloadType, ssrc: phoneSSRC, line: &phoneLine), to: destination, now: now)
        }
    }

    private func deliverToPhone(_ packet: [UInt8], to destination: TransportAddress, now: MonotonicInstant) {
        phoneReports.sent(payloadBytes: packet.count - RTPHeader.fixedLength, timestamp: phoneLine.lastTimestamp, now: now)
        packetsToPhone += 1
        sendToPhone([packet], destination)
    }

    func handleBrowserRTCP(_ bytes: [UInt8]) {
        browserReports.handleRTCP(bytes, now: now(), ntp: NTPClock.now())
    }

    // MARK: RTCP out

    /// Both legs' compound reports (RFC 3550 section 6.4), each to where that leg's RTCP goes.
    func sendReports() {
        let now = now(), ntp = NTPClock.now()
        sendToBrowser([], [browserReports.report(now: now, ntp: ntp)])
        guard let destination = latch.destination else { return }
        let port = plan.phoneRTCPMux ? destination.port : plan.phoneRTCPPort ?? destination.port &+ 1
        guard let rtcp = TransportAddress(addressBytes: destination.addressBytes, port: port) else { return }
        sendRTCPToPhone(phoneReports.report(now: now, ntp: ntp), rtcp)
    }

    // MARK: Digits

    /// A digit from SIP INFO becomes RFC 4733 towards the browser, on the browser line's current time.
    func sendDigitToBrowser(_ digit: Character, durationMilliseconds: Int) {
        guard let code = TelephoneEvent.code(for: digit), let browserDTMF = plan.browserDTMF else { return }
        let timestamp = browserLine.lastTimestamp, now = now()
        for item in TelephoneEvent.packets(code: code, durationMilliseconds: durationMilliseconds, clockRate: browserDTMF.clockRate) {
            var bytes: [UInt8] = []
            RTPPacket.write(header: RTPHeader(marker: item.marker, payloadType: PayloadType(maskingHeaderByte: browserDTMF.payloadType),
                                              sequenceNumber: SequenceNumber(browserLine.next(timestamp: timestamp)),
                                              timestamp: RTPTimestamp(timestamp), ssrc: SSRC(plan.browserSSRC)),
                            payload: item.event.payload, into: &bytes)
            deliverToBrowser(bytes, now: now)
        }
        onDigit(digit, true)
    }

    private func noteDigit(_ payload: ArraySlice<UInt8>, timestamp: UInt32, fromPhone: Bool) {
        guard let event = TelephoneEvent(payload: payload), event.isEnd, lastDigit[fromPhone] != timestamp,
              let digit = TelephoneEvent.digit(for: event.event) else { return }
        lastDigit[fromPhone] = timestamp
        onDigit(digit, fromPhone)
    }

    // MARK: Packets

    /// A forwarded packet: payload type and SSRC rewritten, its number moved onto the outgoing line.
    private func relayed(_ bytes: [UInt8], _ packet: RTPPacket, payloadType: UInt8, ssrc: UInt32, line: inout RTPOutgoingLine) -> [UInt8] {
        var copy = packet
        copy.header.payloadType = PayloadType(maskingHeaderByte: payloadType)
        copy.header.ssrc = SSRC(ssrc)
        copy.header.sequenceNumber = SequenceNumber(line.forwarded(packet.header.sequenceNumber.rawValue, timestamp: packet.header.timestamp.rawValue))
        var output: [UInt8] = []
        copy.write(from: bytes, into: &output)
        return output
    }

    /// An RFC 4733 packet for the other leg: its duration scaled by `durationScale` (to, from clock rates),
    /// put at `timestamp`; renumbered as a made packet when the other leg's audio is transcoded.
    private func relayedEvent(_ bytes: [UInt8], _ packet: RTPPacket, payloadType: UInt8, ssrc: UInt32, timestamp: UInt32,
                              durationScale: (to: Int, from: Int), line: inout RTPOutgoingLine, renumber: Bool) -> [UInt8] {
        var payload = Array(packet.payload(in: bytes))
        if durationScale.to != durationScale.from, var event = TelephoneEvent(payload: payload) {
            event.duration = UInt16(clamping: ClockScaling.rescale(Int64(event.duration), by: Int64(durationScale.to), over: Int64(max(durationScale.from, 1))))
            payload.replaceSubrange(0..<4, with: event.payload)
        }
        let sequence = renumber ? line.next(timestamp: timestamp) : line.forwarded(packet.header.sequenceNumber.rawValue, timestamp: timestamp)
        var output: [UInt8] = []
        RTPPacket.write(header: RTPHeader(marker: packet.header.marker, payloadType: PayloadType(maskingHeaderByte: payloadType),
                                          sequenceNumber: SequenceNumber(sequence), timestamp: RTPTimestamp(timestamp), ssrc: SSRC(ssrc)),
                        payload: payload, into: &output)
        return output
    }

    /// A packet the gateway encoded.
    private func made(_ frame: MediaFrame, payloadType: UInt8, ssrc: UInt32, line: inout RTPOutgoingLine) -> [UInt8] {
        let timestamp = UInt32(truncatingIfNeeded: frame.timestamp)
        var bytes: [UInt8] = []
        RTPPacket.write(header: RTPHeader(marker: false, payloadType: PayloadType(maskingHeaderByte: payloadType),
                                          sequenceNumber: SequenceNumber(line.next(timestamp: timestamp)),
                                          timestamp: RTPTimestamp(timestamp), ssrc: SSRC(ssrc)),
                        payload: frame.units.first ?? [], into: &bytes)
        return bytes
    }

    static func rescale(_ timestamp: Int64, from: Int, to: Int) -> UInt32 {
        // Wrapping: the phone's timestamps come from the wire; only the low 32 bits go out anyway.
        UInt32(truncatingIfNeeded: (timestamp &* Int64(to)) / Int64(max(from, 1)))
    }
}

extension ActiveCallSummary.Leg {
    init(_ reports: RTCPLegReporter) {
        self.init(packetsSent: reports.packetsSent, packetsReceived: reports.packetsReceived, reports: reports.peer.reports,
                  fractionLost: reports.peer.fractionLost, cumulativeLost: reports.peer.cumulativeLost,
                  jitterMilliseconds: Double(reports.peer.jitter) * 1_000 / Double(reports.clockRate),
                  roundTripMilliseconds: reports.peer.roundTripMilliseconds)
    }
}

extension MediaCodec {
    /// The codec an SDP entry names, when the gateway can bridge it.
    init?(_ kind: CodecKind) {
        switch kind {
        case .opus: self = .opus
        case .pcmu: self = .pcmu
        case .pcma: self = .pcma
        case .g722: self = .g722
        default: return nil
        }
    }
}
