@testable import BridgeGateway
import BridgeCore
import BridgeMedia
import BridgeRTP
import Testing

/// The call bridge between a phone leg and a browser leg, without sockets: digits across legs that count
/// time at different rates, one gap-free sequence line per direction, and RTCP on both legs.
@Suite struct CallBridgeTests {
    static let phone = TransportAddress(ipv4: 127, 0, 0, 1, port: 40_000)

    final class Captured {
        var toPhone: [([UInt8], TransportAddress)] = []
        var rtcpToPhone: [([UInt8], TransportAddress)] = []
        var toBrowser: [[UInt8]] = []
        var rtcpToBrowser: [[UInt8]] = []
        var digits: [(Character, Bool)] = []
        var clock = MonotonicInstant(nanoseconds: 1_000_000_000)
    }

    /// A phone on G.711 µ-law (events at 8 kHz, PT 101) and a browser on Opus (events at 48 kHz, PT 110).
    static func transcodingPlan() -> CallBridge.AudioPlan {
        CallBridge.AudioPlan(phonePayloadType: 0, phoneCodec: .pcmu, phoneClockRate: 8_000,
                             browserPayloadType: 111, browserCodec: .opus, browserClockRate: 48_000,
                             phoneDTMF: (101, 8_000), browserDTMF: (110, 48_000), browserSSRC: 0xB0B)
    }

    /// Both legs on G.711 µ-law: packets pass through.
    static func passThroughPlan() -> CallBridge.AudioPlan {
        CallBridge.AudioPlan(phonePayloadType: 0, phoneCodec: .pcmu, phoneClockRate: 8_000,
                             browserPayloadType: 0, browserCodec: .pcmu, browserClockRate: 8_000,
                             phoneDTMF: (101, 8_000), browserDTMF: (101, 8_000), browserSSRC: 0xB0B)
    }

    func makeBridge(_ plan: CallBridge.AudioPlan, _ captured: Captured, phoneAddress: TransportAddress = Self.phone) throws -> CallBridge {
        try CallBridge(plan: plan, phoneAddress: phoneAddress,
                       sendToPhone: { packets, destination in captured.toPhone += packets.map { ($0, destination) } },
                       sendRTCPToPhone: { packet, destination in captured.rtcpToPhone.append((packet, destination)) },
                       sendToBrowser: { rtp, rtcp in captured.toBrowser += rtp; captured.rtcpToBrowser += rtcp },
                       onDigit: { digit, fromPhone in captured.digits.append((digit, fromPhone)) },
                       now: { captured.clock })
    }

    static func packet(payloadType: UInt8, sequence: UInt16, timestamp: UInt32, ssrc: UInt32 = 0x5150, marker: Bool = false, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        RTPPacket.write(header: RTPHeader(marker: marker, payloadType: PayloadType(maskingHeaderByte: payloadType),
                                          sequenceNumber: SequenceNumber(sequence), timestamp: RTPTimestamp(timestamp), ssrc: SSRC(ssrc)),
                        payload: payload, into: &bytes)
        return bytes
    }

    @Test func aPhoneDigitAt8kHzReachesAnOpusBrowserAt48kHz() throws {
        let captured = Captured()
        let bridge = try makeBridge(Self.transcodingPlan(), captured)
        // Half a second of µ-law silence first, so that the Opus line has started.
        for index in 0..<25 {
            bridge.handlePhonePacket(Self.packet(payloadType: 0, sequence: UInt16(index), timestamp: UInt32(index) * 160,
                                                 payload: [UInt8](repeating: 0xFF, count: 160)), from: Self.phone)
        }
        let audio = captured.toBrowser.count
        #expect(audio > 0)
        let eventStart: UInt32 = 25 * 160
        for (index, item) in TelephoneEvent.packets(code: 5, durationMilliseconds: 100, clockRate: 8_000).enumerated() {
            bridge.handlePhonePacket(Self.packet(payloadType: 101, sequence: UInt16(25 + index), timestamp: eventStart, marker: item.marker,
                                                 payload: item.event.payload), from: Self.phone)
        }
        let events = try captured.toBrowser[audio...].map { try RTPPacket(parsing: $0) }
        #expect(!events.isEmpty && events.allSatisfy { $0.header.payloadType.rawValue == 110 && $0.header.ssrc.rawValue == 0xB0B })
        #expect(events.allSatisfy { $0.header.timestamp.rawValue == eventStart * 6 }, "the event's start moves to the 48 kHz line")
        let last = try #require(captured.toBrowser.last)
        let end = try #require(TelephoneEvent(payload: try RTPPacket(parsing: last).payload(in: last)))
        #expect(end.isEnd && end.duration == 4_800, "100 ms is 800 units at 8 kHz and 4800 at 48 kHz")
        // One sequence line: audio and events in order, no gap, no repeat.
        let numbers = try captured.toBrowser.map { try RTPPacket(parsing: $0).header.sequenceNumber }
        for (previous, next) in zip(numbers, numbers.dropFirst()) { #expect(previous.distance(to: next) == 1) }
        #expect(captured.digits.map(\.0) == ["5"] && captured.digits.first?.1 == true)
    }

    /// Chromium answers Opus but sends the µ-law the gateway's offer listed first: those packets (and its 8 kHz
    /// events) go to the phone as they are, not through the Opus decoder.
    @Test func aBrowserSendingThePhonesCodecIsPassedThroughInATranscodedCall() throws {
        let captured = Captured()
        var plan = Self.transcodingPlan()
        plan.browserPhoneCodec = (payloadType: 0, events: 101)
        let bridge = try makeBridge(plan, captured)
        bridge.handlePhonePacket(Self.packet(payloadType: 0, sequence: 1, timestamp: 0, payload: [UInt8](repeating: 0xFF, count: 160)), from: Self.phone)
        let speech = (0..<160).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        for index in 0..<3 {
            bridge.handleBrowserPacket(Self.packet(payloadType: 0, sequence: UInt16(500 + index), timestamp: UInt32(index) * 160, payload: speech))
        }
        let digit = TelephoneEvent.packets(code: 3, durationMilliseconds: 100, clockRate: 8_000)
        for (index, item) in digit.enumerated() {
            bridge.handleBrowserPacket(Self.packet(payloadType: 101, sequence: UInt16(503 + index), timestamp: 480, marker: item.marker,
                                                   payload: item.event.payload))
        }
        let sent = try captured.toPhone.map { try RTPPacket(parsing: $0.0) }
        #expect(sent.count == 3 + digit.count)
        #expect(sent.prefix(3).allSatisfy { $0.header.payloadType.rawValue == 0 }
                && zip(sent.prefix(3), captured.toPhone).allSatisfy { Array($0.payload(in: $1.0)) == speech }, "µ-law bytes unchanged")
        #expect(sent.dropFirst(3).allSatisfy { $0.header.payloadType.rawValue == 101 && $0.header.timestamp.rawValue == 480 })
        let last = try #require(captured.toPhone.last)
        #expect(TelephoneEvent(payload: try RTPPacket(parsing: last.0).payload(in: last.0))?.duration == 800, "8 kHz events keep their duration")
        for (previous, next) in zip(sent, sent.dropFirst()) { #expect(previous.header.sequenceNumber.distance(to: next.header.sequenceNumber) == 1) }
        #expect(captured.digits.map(\.0) == ["3"])
        // Without the offered codec, the same packets are not the plan's and are dropped.
        let strict = Captured()
        let other = try makeBridge(Self.transcodingPlan(), strict)
        other.handlePhonePacket(Self.packet(payloadType: 0, sequence: 1, timestamp: 0, payload: [UInt8](repeating: 0xFF, count: 160)), from: Self.phone)
        other.handleBrowserPacket(Self.packet(payloadType: 0, sequence: 1, timestamp: 0, payload: speech))
        #expect(strict.toPhone.isEmpty)
    }

    @Test func aSIPInfoDigitJoinsThePassedThroughLineWithoutAGap() throws {
        let captured = Captured()
        var plan = Self.transcodingPlan()
        plan.browserPayloadType = 0
        plan.browserCodec = .pcmu
        plan.browserClockRate = 8_000
        plan.browserDTMF = (126, 8_000)
        let bridge = try makeBridge(plan, captured)
        for index in 0..<5 {
            bridge.handlePhonePacket(Self.packet(payloadType: 0, sequence: UInt16(1_000 + index), timestamp: UInt32(index) * 160,
                                                 payload: [UInt8](repeating: 0xFF, count: 160)), from: Self.phone)
        }
        bridge.sendDigitToBrowser("7", durationMilliseconds: 100)
        for index in 5..<8 {
            bridge.handlePhonePacket(Self.packet(payloadType: 0, sequence: UInt16(1_000 + index), timestamp: UInt32(index) * 160,
                                                 payload: [UInt8](repeating: 0xFF, count: 160)), from: Self.phone)
        }
        let packets = try captured.toBrowser.map { try RTPPacket(parsing: $0) }
        for (previous, next) in zip(packets, packets.dropFirst()) {
            #expect(previous.header.sequenceNumber.distance(to: next.header.sequenceNumber) == 1)
        }
        let events = packets.filter { $0.header.payloadType.rawValue == 126 }
        #expect(!events.isEmpty && events.allSatisfy { $0.header.timestamp.rawValue == 4 * 160 }, "the digit starts at the line's current time")
    }

    @Test func bothLegsGetReportsAndThePhoneLegsGoToTheNextPort() throws {
        let captured = Captured()
        let bridge = try makeBridge(Self.transcodingPlan(), captured)
        for index in 0..<10 {
            bridge.handlePhonePacket(Self.packet(payloadType: 0, sequence: UInt16(index), timestamp: UInt32(index) * 160,
                                                 payload: [UInt8](repeating: 0xFF, count: 160)), from: Self.phone)
            captured.clock = captured.clock + .milliseconds(20)
        }
        bridge.sendReports()
        let phoneReport = try #require(captured.rtcpToPhone.first)
        #expect(phoneReport.1.port == 40_001, "RTCP goes to the port after RTP when the phone does not mux")
        let phonePackets = try RTCPCompound(parsing: phoneReport.0).packets(in: phoneReport.0)
        guard case .receiverReport(let rr) = phonePackets.first else { Issue.record("expected an RR to the phone, got \(phonePackets)"); return }
        #expect(rr.reportBlocks.count == 1, "one block about the phone's stream")
        let browserReport = try #require(captured.rtcpToBrowser.first)
        let browserPackets = try RTCPCompound(parsing: browserReport).packets(in: browserReport)
        guard case .senderReport(let sr) = browserPackets.first else { Issue.record("expected an SR to the browser, got \(browserPackets)"); return }
        #expect(sr.ssrc == SSRC(0xB0B) && sr.packetCount == UInt32(captured.toBrowser.count))
        #expect(bridge.statistics.phone.packetsReceived == 10)
        // The phone's own reports arrive on the RTCP port and feed the phone leg's view of the round trip.
        var phoneSide = RTCPLegReporter(ssrc: 0x5150, clockRate: 8_000, cname: "phone")
        bridge.handlePhoneRTCP(phoneSide.report(now: captured.clock, ntp: 1 << 40), from: Self.phone)
        #expect(bridge.statistics.phone.reports == 0, "a report about another stream says nothing about ours")
    }

    /// A phone behind NAT (private SDP address, media from its public one): a re-INVITE or UPDATE that names
    /// the same address keeps what the latch learned, so its audio goes on at once both ways; RTCP from
    /// anyone but the latched host is not read.
    @Test func aReinviteWithTheSameAddressKeepsANATLatch() throws {
        let captured = Captured()
        let sdpAddress = try #require(TransportAddress("192.168.1.20", port: 4000))
        let nat = try #require(TransportAddress("198.51.100.7", port: 31_000))
        let bridge = try makeBridge(Self.passThroughPlan(), captured, phoneAddress: sdpAddress)
        func phoneSpeaks(_ sequence: Int) {
            bridge.handlePhonePacket(Self.packet(payloadType: 0, sequence: UInt16(sequence), timestamp: UInt32(sequence) * 160,
                                                 payload: [UInt8](repeating: 0x11, count: 160)), from: nat)
            captured.clock = captured.clock + .milliseconds(20)
        }
        for sequence in 0..<30 { phoneSpeaks(sequence) }
        #expect(bridge.phoneDestination == nat)
        let learned = bridge.packetsToBrowser
        #expect(learned > 0 && learned < 30, "learned after the window, not from the first packets")
        bridge.phoneMoved(to: sdpAddress)
        phoneSpeaks(30)
        #expect(bridge.packetsToBrowser == learned + 1, "the latch survived the re-INVITE")
        bridge.handleBrowserPacket(Self.packet(payloadType: 0, sequence: 1, timestamp: 0, payload: [UInt8](repeating: 0x22, count: 160)))
        #expect(captured.toPhone.last?.1 == nat)
        var phoneSide = RTCPLegReporter(ssrc: 0x5150, clockRate: 8_000, cname: "phone")
        let report = phoneSide.report(now: captured.clock, ntp: 1 << 40)
        bridge.handlePhoneRTCP(report, from: try #require(TransportAddress("203.0.113.66", port: 31_001)))
        bridge.handlePhoneRTCP(report, from: try #require(TransportAddress("198.51.100.7", port: 31_001)))
        #expect(bridge.drops[.rtcpSourceRejected] == 1)
    }

    /// A phone can push its unwrapped timestamp line as far as it likes (a jump of 2^31 per packet): the
    /// rescaling and the transcoder wrap instead of trapping.
    @Test func hugeTimestampsFromThePhoneDoNotTrap() throws {
        #expect(CallBridge.rescale(Int64.max / 3, from: 8_000, to: 48_000) != CallBridge.rescale(Int64.max / 3 + 1, from: 8_000, to: 48_000))
        let transcoder = try AudioTranscoder(from: MediaTrackInfo(codec: .pcmu, clockRate: 8_000), to: .opus)
        var frames = 0
        for step in 0..<4 {
            let frame = MediaFrame(codec: .pcmu, timestamp: Int64.max / 4 + Int64(step) * 160, clockRate: 8_000,
                                   units: [[UInt8](repeating: 0xFF, count: 160)])
            frames += transcoder.transcode(frame).count
        }
        #expect(frames >= 3, "Opus keeps coming from 80 ms of µ-law")
    }
}
