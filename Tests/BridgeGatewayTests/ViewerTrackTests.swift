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

    func header(_ packet: OutgoingRTP) throws -> RTPHeader { try RTPPacket(parsing: packet.bytes()).header }
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
        var history = PacketHistory()
        line.rebase(sourceTimestamp: 0, epoch: 1)
        var sent: [[UInt8]] = []
        for index in 0..<10 {
            let unit = RTPPayloadUnit(payload: [UInt8(index)], marker: false, timestamp: Int64(index) * 3000)
            sent.append(line.packet(for: unit, historyIndex: history.append(unit), now: now).bytes())
        }
        let lost = try RTPPacket(parsing: sent[4]).header.sequenceNumber.rawValue
        #expect(line.retransmission(of: lost, from: history)?.bytes() == sent[4])
        #expect(line.retransmission(of: lost &+ 100, from: history) == nil)
        #expect(track(video: false).retransmissionIsUnavailable)
    }

    /// Two viewers of one loop, on different sequence and timestamp lines, one joined by a GOP burst, the
    /// other live: each NACK is answered from the one shared history with that viewer's own numbers.
    @Test func sharedHistoryServesTwoViewersOnTheirOwnLines() throws {
        var history = PacketHistory()
        var random = FixedRandom(state: 7)
        var early = track()
        var late = ViewerTrack(stream: StreamKey(track: 0, codec: .h264), payloadType: 96, ssrc: 0xAAAA_0001,
                               clockRate: 90_000, isVideo: true, random: &random)
        early.rebase(sourceTimestamp: 0, epoch: 1)
        var earlySent: [[UInt8]] = [], lateSent: [[UInt8]] = []
        var indices: [Int] = []
        for frame in 0..<6 {
            for part in 0..<3 {
                let unit = RTPPayloadUnit(payload: [UInt8(frame), UInt8(part)], marker: part == 2, timestamp: Int64(frame) * 3000,
                                          startsKeyframe: frame == 0 && part == 0)
                let index = history.append(unit)
                indices.append(index)
                earlySent.append(early.packet(for: unit, historyIndex: index, now: now).bytes())
            }
        }
        // The late viewer joins on the cached GOP (frames 0...5 one tick apart), then follows live.
        var out = late.nextOut
        for (position, index) in indices.enumerated() {
            let unit = try #require(history[index])
            if position > 0, position % 3 == 0 { out += 1 }
            lateSent.append(late.packet(for: unit, historyIndex: index, outputTimestamp: out, now: now).bytes())
        }
        late.continueAfterBurst(lastBurstOut: out, sourceTimestamp: 15_000, epoch: 1)
        let live = RTPPayloadUnit(payload: [9], marker: true, timestamp: 18_000)
        let liveIndex = history.append(live)
        earlySent.append(early.packet(for: live, historyIndex: liveIndex, now: now).bytes())
        lateSent.append(late.packet(for: live, historyIndex: liveIndex, now: now).bytes())

        for (sent, var line) in [(earlySent, early), (lateSent, late)] {
            for original in sent {
                let sequence = try RTPPacket(parsing: original).header.sequenceNumber.rawValue
                #expect(line.retransmission(of: sequence, from: history)?.bytes() == original)
            }
        }
        #expect(try RTPPacket(parsing: earlySent[0]).header.ssrc != RTPPacket(parsing: lateSent[0]).header.ssrc)
    }

    /// A payload the history has overwritten is not answered (not with another payload's bytes).
    @Test func anOverwrittenPayloadIsNotAnswered() throws {
        var history = PacketHistory(capacity: 4)
        var line = track()
        line.rebase(sourceTimestamp: 0, epoch: 1)
        var first: UInt16?
        for index in 0..<6 {
            let unit = RTPPayloadUnit(payload: [UInt8(index)], marker: true, timestamp: Int64(index) * 3000)
            let packet = line.packet(for: unit, historyIndex: history.append(unit), now: now)
            if first == nil { first = packet.header.sequenceNumber.rawValue }
        }
        let oldest = try #require(first)
        #expect(line.retransmission(of: oldest, from: history) == nil)
        #expect(line.retransmission(of: oldest &+ 1, from: history) == nil)
        #expect(line.retransmission(of: oldest &+ 2, from: history)?.payload == [2])
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
        return copy.retransmission(of: 0, from: PacketHistory()) == nil
    }
}
