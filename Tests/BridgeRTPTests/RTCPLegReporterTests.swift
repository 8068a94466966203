import BridgeCore
import BridgeRTP
import Testing

/// RTCP on a call leg: loss and jitter from sequence numbers and arrival times, and the round trip from
/// LSR/DLSR, between two reporters on a manual clock.
@Suite struct RTCPLegReporterTests {
    static func at(milliseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000 + milliseconds * 1_000_000) }
    /// A wall clock that runs with the monotonic one: NTP seconds and fraction.
    static func ntp(milliseconds: UInt64) -> UInt64 {
        let total = 3_900_000_000_000 + milliseconds
        return (total / 1_000) << 32 | (total % 1_000) << 32 / 1_000
    }

    func block(in report: [UInt8]) throws -> RTCPReportBlock? {
        let packets = try RTCPCompound(parsing: report).packets(in: report)
        var found: RTCPReportBlock?
        for packet in packets {
            switch packet {
            case .senderReport(let sr): report.withUnsafeBytes { raw in sr.reportBlocks.forEach(in: raw) { found = $0 } }
            case .receiverReport(let rr): report.withUnsafeBytes { raw in rr.reportBlocks.forEach(in: raw) { found = $0 } }
            default: continue
            }
        }
        return found
    }

    @Test func lossIsCountedFromSequenceGapsAndTheIntervalFractionResets() throws {
        var reporter = RTCPLegReporter(ssrc: 1, clockRate: 8_000, cname: "gw")
        for sequence: UInt16 in 1...10 where sequence != 4 && sequence != 7 {
            reporter.received(sequence: sequence, timestamp: UInt32(sequence) * 160, ssrc: 99, now: Self.at(milliseconds: UInt64(sequence) * 20))
        }
        let first = try #require(try block(in: reporter.report(now: Self.at(milliseconds: 300), ntp: Self.ntp(milliseconds: 300))))
        #expect(first.ssrc == SSRC(99))
        #expect(first.cumulativeLost == 2)
        #expect(first.fractionLost == UInt8(2 * 256 / 10))
        #expect(first.extendedHighestSequenceNumber == 10)
        #expect(first.jitter == 0, "packets 20 ms apart with timestamps 160 apart have no jitter")
        for sequence: UInt16 in 11...20 {
            reporter.received(sequence: sequence, timestamp: UInt32(sequence) * 160, ssrc: 99, now: Self.at(milliseconds: UInt64(sequence) * 20))
        }
        let second = try #require(try block(in: reporter.report(now: Self.at(milliseconds: 500), ntp: Self.ntp(milliseconds: 500))))
        #expect(second.fractionLost == 0, "no loss in the second interval")
        #expect(second.cumulativeLost == 2)
    }

    @Test func sequenceWrapExtendsTheHighestNumberWithoutLoss() throws {
        var reporter = RTCPLegReporter(ssrc: 1, clockRate: 8_000, cname: "gw")
        for (index, sequence) in [UInt16(65_534), 65_535, 0, 1].enumerated() {
            reporter.received(sequence: sequence, timestamp: UInt32(index) * 160, ssrc: 5, now: Self.at(milliseconds: UInt64(index) * 20))
        }
        let report = try #require(try block(in: reporter.report(now: Self.at(milliseconds: 100), ntp: Self.ntp(milliseconds: 100))))
        #expect(report.extendedHighestSequenceNumber == 0x1_0001)
        #expect(report.cumulativeLost == 0)
    }

    @Test func lateArrivalsShowAsJitter() throws {
        var reporter = RTCPLegReporter(ssrc: 1, clockRate: 8_000, cname: "gw")
        for sequence: UInt16 in 0..<50 {
            let late: UInt64 = sequence % 2 == 0 ? 0 : 10
            reporter.received(sequence: sequence, timestamp: UInt32(sequence) * 160, ssrc: 5, now: Self.at(milliseconds: UInt64(sequence) * 20 + late))
        }
        let report = try #require(try block(in: reporter.report(now: Self.at(milliseconds: 2_000), ntp: Self.ntp(milliseconds: 2_000))))
        // Every transit differs from the last by 10 ms (80 timestamp units); the estimate approaches 80.
        #expect((60...80).contains(report.jitter))
    }

    @Test func roundTripComesFromTheBlockAboutOurStream() throws {
        var gateway = RTCPLegReporter(ssrc: 1, clockRate: 8_000, cname: "gw")
        var phone = RTCPLegReporter(ssrc: 2, clockRate: 8_000, cname: "phone")
        for sequence: UInt16 in 0..<10 {
            let now = Self.at(milliseconds: UInt64(sequence) * 20)
            gateway.sent(payloadBytes: 160, timestamp: UInt32(sequence) * 160, now: now)
            phone.received(sequence: sequence, timestamp: UInt32(sequence) * 160, ssrc: 1, now: now + .milliseconds(20))
        }
        #expect(gateway.packetsSent == 10)
        let senderReport = gateway.report(now: Self.at(milliseconds: 1_000), ntp: Self.ntp(milliseconds: 1_000))
        let sr = try RTCPCompound(parsing: senderReport).packets(in: senderReport)
        guard case .senderReport(let info) = sr.first else { Issue.record("expected an SR first, got \(sr)"); return }
        #expect(info.packetCount == 10 && info.octetCount == 1_600)
        #expect(info.rtpTimestamp == RTPTimestamp(9 * 160 + 820 * 8), "the SR's RTP time runs on from the last packet sent")
        // 20 ms on the way, the phone holds it 300 ms, 20 ms back: 40 ms round trip.
        phone.handleRTCP(senderReport, now: Self.at(milliseconds: 1_020), ntp: Self.ntp(milliseconds: 1_020))
        let receiverReport = phone.report(now: Self.at(milliseconds: 1_320), ntp: Self.ntp(milliseconds: 1_320))
        gateway.handleRTCP(receiverReport, now: Self.at(milliseconds: 1_340), ntp: Self.ntp(milliseconds: 1_340))
        let roundTrip = try #require(gateway.peer.roundTripMilliseconds)
        #expect(abs(roundTrip - 40) < 1)
        #expect(gateway.peer.reports == 1 && gateway.peer.cumulativeLost == 0)
    }

    @Test func garbageAndReportsAboutOthersChangeNothing() {
        var gateway = RTCPLegReporter(ssrc: 1, clockRate: 8_000, cname: "gw")
        gateway.handleRTCP([0x80, 0xC9, 0x00], now: Self.at(milliseconds: 0), ntp: Self.ntp(milliseconds: 0))
        var other = RTCPLegReporter(ssrc: 3, clockRate: 8_000, cname: "x")
        other.received(sequence: 1, timestamp: 0, ssrc: 77, now: Self.at(milliseconds: 0))
        gateway.handleRTCP(other.report(now: Self.at(milliseconds: 10), ntp: Self.ntp(milliseconds: 10)),
                           now: Self.at(milliseconds: 10), ntp: Self.ntp(milliseconds: 10))
        #expect(gateway.peer == RTCPLegReporter.PeerView())
    }
}
