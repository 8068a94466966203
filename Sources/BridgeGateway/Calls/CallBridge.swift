import BridgeCore
import BridgeMedia
import BridgeRTP
import BridgeSDP

/// Audio both ways between one phone leg (plain RTP) and one browser session (SRTP through the WebRTC
/// socket), on the loop both live on.
///
/// When both ends share a codec, packets pass through with the SSRC (and payload type) rewritten; otherwise
/// the gateway transcodes (phone G.711/G.722 to browser Opus and back). RFC 4733 telephone events pass
/// between the legs with their payload type remapped, end-packet triplet intact; digits are reported to
/// the page. The phone's address is learned by symmetric RTP latching.
final class CallBridge {
    struct AudioPlan {
        var phonePayloadType: UInt8
        var phoneCodec: MediaCodec
        var phoneClockRate: Int
        var browserPayloadType: UInt8
        var browserCodec: MediaCodec
        var phoneDTMF: UInt8?
        var browserDTMF: UInt8?
        /// The gateway's SSRC towards the browser (announced in the browser-side SDP).
        var browserSSRC: UInt32
    }

    let plan: AudioPlan
    private let srtp: PhoneSRTP?
    private var latch: SymmetricRTPLatch
    private let phoneSSRC = UInt32.random(in: 1...UInt32.max)
    private let toBrowser: AudioTranscoder?
    private let toPhone: AudioTranscoder?
    private var phoneUnwrap = RTPTimestampUnwrapper()
    private var browserUnwrap = RTPTimestampUnwrapper()
    private var phoneSequence = UInt16.random(in: 0...0x7FFF)
    private var browserSequence = UInt16.random(in: 0...0x7FFF)
    private var lastDigit: [Bool: UInt32] = [:]
    private(set) var packetsToBrowser = 0
    private(set) var packetsToPhone = 0

    let sendToPhone: ([[UInt8]], TransportAddress) -> Void
    let sendToBrowser: ([[UInt8]]) -> Void
    let onDigit: (Character, _ fromPhone: Bool) -> Void

    init(plan: AudioPlan, phoneAddress: TransportAddress?, srtp: PhoneSRTP? = nil,
         sendToPhone: @escaping ([[UInt8]], TransportAddress) -> Void,
         sendToBrowser: @escaping ([[UInt8]]) -> Void, onDigit: @escaping (Character, Bool) -> Void) throws(MediaError) {
        self.plan = plan
        self.srtp = srtp
        let sendPlain = sendToPhone
        latch = SymmetricRTPLatch(expected: phoneAddress)
        self.sendToPhone = srtp.map { srtp in { packets, destination in sendPlain(packets.compactMap(srtp.protect), destination) } } ?? sendPlain
        self.sendToBrowser = sendToBrowser
        self.onDigit = onDigit
        if plan.phoneCodec == plan.browserCodec {
            toBrowser = nil
            toPhone = nil
        } else {
            toBrowser = try AudioTranscoder(from: MediaTrackInfo(codec: plan.phoneCodec, clockRate: plan.phoneClockRate), to: plan.browserCodec)
            toPhone = try AudioTranscoder(from: MediaTrackInfo(codec: plan.browserCodec, clockRate: 48_000, channels: 2), to: plan.phoneCodec)
        }
    }

    var phoneDestination: TransportAddress? { latch.destination }

    /// A re-INVITE moved the phone's media.
    func phoneMoved(to address: TransportAddress?) {
        latch.reset(expected: address)
    }

    // MARK: Phone to browser

    func handlePhonePacket(_ received: [UInt8], from source: TransportAddress) {
        // RTCP on the RTP port (rtcp-mux) is not media.
        guard received.count >= 2, !(192...223).contains(received[1]) else { return }
        guard let bytes = srtp.map({ $0.unprotect(received) }) ?? received else { return }
        guard let packet = try? RTPPacket(parsing: bytes), latch.accept(from: source, ssrc: packet.header.ssrc.rawValue) else { return }
        let payloadType = packet.header.payloadType.rawValue
        if payloadType == plan.phoneDTMF, let browserDTMF = plan.browserDTMF {
            noteDigit(packet.payload(in: bytes), timestamp: packet.header.timestamp.rawValue, fromPhone: true)
            sendToBrowser([rewritten(bytes, packet, payloadType: browserDTMF, ssrc: plan.browserSSRC)])
            packetsToBrowser += 1
            return
        }
        guard payloadType == plan.phonePayloadType else { return }
        guard let toBrowser else {
            sendToBrowser([rewritten(bytes, packet, payloadType: plan.browserPayloadType, ssrc: plan.browserSSRC)])
            packetsToBrowser += 1
            return
        }
        let frame = MediaFrame(codec: plan.phoneCodec, timestamp: phoneUnwrap.unwrap(packet.header.timestamp),
                               clockRate: plan.phoneClockRate, units: [Array(packet.payload(in: bytes))])
        let packets = toBrowser.transcode(frame).map { out in
            write(out, payloadType: plan.browserPayloadType, ssrc: plan.browserSSRC, sequence: &browserSequence)
        }
        packetsToBrowser += packets.count
        if !packets.isEmpty { sendToBrowser(packets) }
    }

    // MARK: Browser to phone

    func handleBrowserPacket(_ bytes: [UInt8]) {
        guard let packet = try? RTPPacket(parsing: bytes), let destination = latch.destination else { return }
        let payloadType = packet.header.payloadType.rawValue
        if payloadType == plan.browserDTMF, let phoneDTMF = plan.phoneDTMF {
            noteDigit(packet.payload(in: bytes), timestamp: packet.header.timestamp.rawValue, fromPhone: false)
            sendToPhone([rewritten(bytes, packet, payloadType: phoneDTMF, ssrc: phoneSSRC)], destination)
            packetsToPhone += 1
            return
        }
        guard payloadType == plan.browserPayloadType else { return }
        guard let toPhone else {
            sendToPhone([rewritten(bytes, packet, payloadType: plan.phonePayloadType, ssrc: phoneSSRC)], destination)
            packetsToPhone += 1
            return
        }
        let frame = MediaFrame(codec: plan.browserCodec, timestamp: browserUnwrap.unwrap(packet.header.timestamp),
                               clockRate: 48_000, units: [Array(packet.payload(in: bytes))])
        let packets = toPhone.transcode(frame).map { out in
            write(out, payloadType: plan.phonePayloadType, ssrc: phoneSSRC, sequence: &phoneSequence)
        }
        packetsToPhone += packets.count
        if !packets.isEmpty { sendToPhone(packets, destination) }
    }

    /// A digit from SIP INFO becomes RFC 4733 towards the browser.
    func sendDigitToBrowser(_ digit: Character, durationMilliseconds: Int) {
        guard let code = TelephoneEvent.code(for: digit), let browserDTMF = plan.browserDTMF else { return }
        let clock = plan.phoneCodec == plan.browserCodec ? plan.phoneClockRate : 48_000
        let timestamp = Int64(UInt32.random(in: 0...0x7FFF_FFFF))
        let packets = TelephoneEvent.packets(code: code, durationMilliseconds: durationMilliseconds, clockRate: clock).map { item in
            var bytes: [UInt8] = []
            RTPPacket.write(header: RTPHeader(marker: item.marker, payloadType: PayloadType(maskingHeaderByte: browserDTMF),
                                              sequenceNumber: SequenceNumber(browserSequence), timestamp: RTPTimestamp(UInt32(timestamp)),
                                              ssrc: SSRC(plan.browserSSRC)),
                            payload: item.event.payload, into: &bytes)
            browserSequence &+= 1
            return bytes
        }
        sendToBrowser(packets)
        onDigit(digit, true)
    }

    private func noteDigit(_ payload: ArraySlice<UInt8>, timestamp: UInt32, fromPhone: Bool) {
        guard let event = TelephoneEvent(payload: payload), event.isEnd, lastDigit[fromPhone] != timestamp,
              let digit = TelephoneEvent.digit(for: event.event) else { return }
        lastDigit[fromPhone] = timestamp
        onDigit(digit, fromPhone)
    }

    private func rewritten(_ bytes: [UInt8], _ packet: RTPPacket, payloadType: UInt8, ssrc: UInt32) -> [UInt8] {
        var copy = packet
        copy.header.payloadType = PayloadType(maskingHeaderByte: payloadType)
        copy.header.ssrc = SSRC(ssrc)
        var output: [UInt8] = []
        copy.write(from: bytes, into: &output)
        return output
    }

    private func write(_ frame: MediaFrame, payloadType: UInt8, ssrc: UInt32, sequence: inout UInt16) -> [UInt8] {
        var bytes: [UInt8] = []
        RTPPacket.write(header: RTPHeader(marker: false, payloadType: PayloadType(maskingHeaderByte: payloadType), sequenceNumber: SequenceNumber(sequence),
                                          timestamp: RTPTimestamp(UInt32(truncatingIfNeeded: frame.timestamp)), ssrc: SSRC(ssrc)),
                        payload: frame.units.first ?? [], into: &bytes)
        sequence &+= 1
        return bytes
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
