import BridgeCore
import BridgeRTP
import Testing

/// Transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1).
@Suite struct RTCPTransportFeedbackTests {
    typealias Status = RTCPTransportFeedback.PacketStatus

    @Test func runLengthChunkFromAChromiumCapture() throws {
        let bytes = RTPFixtures.transportFeedbackCapture
        guard case .transportFeedback(let feedback) = try RTCPCompound(parsing: bytes).packets(in: bytes)[0] else {
            Issue.record("not transport-cc")
            return
        }
        #expect(feedback.senderSSRC == 1 && feedback.mediaSSRC == 0xDD58_6EB6)
        #expect(feedback.baseSequenceNumber == 1 && feedback.packetStatusCount == 9)
        #expect(feedback.referenceTime == 6_197_520 && feedback.feedbackPacketCount == 0)
        #expect(feedback.referenceTimeMicroseconds == 6_197_520 * 64_000)
        let statuses = feedback.packetStatuses(in: bytes)
        #expect(statuses.map(\.sequenceNumber) == (1...9).map { SequenceNumber($0) })
        #expect(statuses.allSatisfy { $0.symbol == .smallDelta })
        // 7, 3, 11, 14, 0, 1, 0, 2, 6 ms, as Wireshark shows them.
        #expect(statuses.compactMap(\.receiveDeltaMicroseconds) == [7000, 3000, 11000, 14000, 0, 1000, 0, 2000, 6000])
    }

    @Test func twoBitStatusVectorWithALargeNegativeDelta() throws {
        let bytes = RTPFixtures.transportFeedbackVector
        let feedback = try RTCPTransportFeedback(parsing: bytes)
        #expect(feedback.feedbackPacketCount == 2 && feedback.referenceTime == 1)
        #expect(feedback.packetStatuses(in: bytes) == [
            Status(sequenceNumber: 5, symbol: .smallDelta, receiveDelta: 4),
            Status(sequenceNumber: 6, symbol: .notReceived, receiveDelta: nil),
            Status(sequenceNumber: 7, symbol: .largeOrNegativeDelta, receiveDelta: -4),
            Status(sequenceNumber: 8, symbol: .smallDelta, receiveDelta: 8),
            Status(sequenceNumber: 9, symbol: .notReceived, receiveDelta: nil),
            Status(sequenceNumber: 10, symbol: .notReceived, receiveDelta: nil),
            Status(sequenceNumber: 11, symbol: .smallDelta, receiveDelta: 16),
        ])
    }

    @Test func oneBitStatusVectorAcrossTheWrap() throws {
        let bytes = RTPFixtures.transportFeedbackWrap
        let feedback = try RTCPTransportFeedback(parsing: bytes)
        #expect(feedback.referenceTime == -1)
        #expect(feedback.packetStatuses(in: bytes) == [
            Status(sequenceNumber: 65534, symbol: .smallDelta, receiveDelta: 1),
            Status(sequenceNumber: 65535, symbol: .notReceived, receiveDelta: nil),
            Status(sequenceNumber: 0, symbol: .smallDelta, receiveDelta: 2),
        ])
    }

    @Test func longRunsAndEmptyFeedback() throws {
        // One run-length chunk of 8191 lost packets, then a status count of 0 (no chunks at all).
        let lost = RTPFixtures.hex("8f cd 00 05  00 00 00 01  00 00 00 02  00 00 1f ff  00 00 00 03  1f ff 00 00")
        let feedback = try RTCPTransportFeedback(parsing: lost)
        let statuses = feedback.packetStatuses(in: lost)
        #expect(statuses.count == 8191 && statuses.allSatisfy { $0.symbol == .notReceived })
        let empty = RTPFixtures.hex("8f cd 00 04  00 00 00 01  00 00 00 02  00 07 00 00  00 00 00 01")
        #expect(try RTCPTransportFeedback(parsing: empty).packetStatuses(in: empty).isEmpty)
    }
}
