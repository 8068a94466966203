@testable import BridgeGateway
import BridgeCore
import BridgeRTP
import Testing

@Suite struct ViewerTrackTests {
    struct FixedRandom: RandomNumberGenerator {
        var state: UInt64 = 42
        mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state }
    }

    func track(video: Bool = true) -> ViewerTrack {
        var random = FixedRandom()
        return ViewerTrack(stream: StreamKey(track: 0, codec: video ? .h264 : .opus), payloadType: 102, ssrc: 0x1234_5678,
                           clockRate: video ? 90_000 : 48_000, isVideo: video, random: &random)
    }

    func header(_ bytes: [UInt8]) throws -> RTPHeader { try RTPPacket(parsing: bytes).header }
    let now = MonotonicInstant(nanoseconds: 1_000_000_000)

    @Test func liveLineFollowsTheSourceWithItsOwnSSRCAndPayloadType() throws {
        var line = track()
        line.rebase(sourceTimestamp: 90_000, epoch: 1)
        let first = try header(line.packet(for: RTPPayloadUnit(payload: [1], marker: true, timestamp: 90_000), now: now))
        let second = try header(line.packet(for: RTPPayloadUnit(payload: [2], marker: true, timestamp: 93_600), now: now))
        #expect(first.ssrc == SSRC(0x1234_5678))
        #expect(first.payloadType.rawValue == 102)
        #expect(second.sequenceNumber.rawValue == first.sequenceNumber.rawValue &+ 1)
        #expect(second.timestamp.rawValue &- first.timestamp.rawValue == 3600)
        #expect(first.marker)
    }

    @Test func aSourceRestartContinuesTheLineOneFrameLater() throws {
        var line = track()
        line.rebase(sourceTimestamp: 500_000, epoch: 1)
        let before = try header(line.packet(for: RTPPayloadUnit(payload: [1], marker: true, timestamp: 500_000), now: now))
        #expect(line.needsRebase(epoch: 2))
        // The camera came back with a timestamp from nowhere: the viewer's line moves on by one step.
        line.rebase(sourceTimestamp: 7, epoch: 2)
        let after = try header(line.packet(for: RTPPayloadUnit(payload: [2], marker: true, timestamp: 7), now: now))
        #expect(after.timestamp.rawValue &- before.timestamp.rawValue == 3000)
        #expect(after.sequenceNumber.rawValue == before.sequenceNumber.rawValue &+ 1)
    }

    @Test func burstThenLiveStaysMonotonic() throws {
        var line = track()
        let start = line.nextOut
        _ = line.packet(for: RTPPayloadUnit(payload: [1], marker: true, timestamp: 0, startsKeyframe: true), outputTimestamp: start, now: now)
        _ = line.packet(for: RTPPayloadUnit(payload: [2], marker: true, timestamp: 3600), outputTimestamp: start + 1, now: now)
        line.continueAfterBurst(lastBurstOut: start + 1, sourceTimestamp: 3600, epoch: 1)
        let live = try header(line.packet(for: RTPPayloadUnit(payload: [3], marker: true, timestamp: 7200), now: now))
        #expect(Int64(live.timestamp.rawValue) == (start + 1 + 3600) & 0xFFFF_FFFF)
        #expect(!line.needsRebase(epoch: 1))
    }

    @Test func nackIsAnsweredFromHistoryByteForByte() throws {
        var line = track()
        line.rebase(sourceTimestamp: 0, epoch: 1)
        var sent: [[UInt8]] = []
        for index in 0..<10 {
            sent.append(line.packet(for: RTPPayloadUnit(payload: [UInt8(index)], marker: false, timestamp: Int64(index) * 3000), now: now))
        }
        let lost = try header(sent[4]).sequenceNumber.rawValue
        #expect(line.retransmission(of: lost) == sent[4])
        #expect(line.retransmission(of: lost &+ 100) == nil)
        #expect(track(video: false).retransmissionIsUnavailable)
    }

    @Test func senderReportMapsNowOnTheLine() throws {
        var line = track(video: false)
        line.rebase(sourceTimestamp: 0, epoch: 1)
        let sent = try header(line.packet(for: RTPPayloadUnit(payload: [1], marker: false, timestamp: 0), now: now))
        let later = MonotonicInstant(nanoseconds: now.nanoseconds + 500_000_000)
        let report = try #require(line.senderReport(now: later, ntp: 0x1234_5678_0000_0000))
        let packets = try RTCPCompound(parsing: report).packets(in: report)
        guard case .senderReport(let sr) = packets.first else { Issue.record("not an SR"); return }
        #expect(sr.rtpTimestamp.rawValue &- sent.timestamp.rawValue == 24_000)
        #expect(sr.packetCount == 1)
        #expect(sr.octetCount == 1)
    }
}

extension ViewerTrack {
    var retransmissionIsUnavailable: Bool {
        var copy = self
        return copy.retransmission(of: 0) == nil
    }
}
