import BridgeRTSP
import Testing

@Suite struct RTSPStreamDecoderTests {
    static let describeResponse = RTSPFixtures.response("200 OK", cseq: 3,
        headers: ["Content-Type: application/sdp", "Content-Base: rtsp://127.0.0.1:8554/test/"], body: RTSPFixtures.gstreamerSDP)
    static let stream: [UInt8] = describeResponse + RTSPFixtures.interleaved(channel: 0, [0x80, 0x60, 1, 2])
        + RTSPFixtures.response("200 OK", cseq: 4, headers: ["Session: abc;timeout=60"])
        + RTSPFixtures.interleaved(channel: 1, []) + RTSPFixtures.interleaved(channel: 2, Array(repeating: 7, count: 300))

    static func decodeAll(_ decoder: inout RTSPStreamDecoder) throws -> [RTSPMessage] {
        var messages: [RTSPMessage] = []
        while let message = try decoder.next() { messages.append(message) }
        return messages
    }

    @Test func responsesAndInterleavedFramesInOrder() throws {
        var decoder = RTSPStreamDecoder()
        decoder.append(Self.stream)
        let messages = try Self.decodeAll(&decoder)
        #expect(messages.count == 5)
        guard case .response(let describe) = messages.first else { Issue.record("expected a response"); return }
        #expect(describe.statusCode == 200)
        #expect(describe.headers["content-base"] == "rtsp://127.0.0.1:8554/test/")
        #expect(describe.body == Array(RTSPFixtures.gstreamerSDP.utf8))
        #expect(messages[1] == .interleaved(channel: 0, payload: [0x80, 0x60, 1, 2]))
        #expect(messages[3] == .interleaved(channel: 1, payload: []))
        #expect(decoder.bufferedCount == 0)
    }

    @Test func splitAtEveryByteBoundaryGivesTheSameMessages() throws {
        var whole = RTSPStreamDecoder()
        whole.append(Self.stream)
        let expected = try Self.decodeAll(&whole)
        for cut in 0...Self.stream.count {
            var decoder = RTSPStreamDecoder()
            decoder.append(Self.stream[..<cut])
            var messages = try Self.decodeAll(&decoder)
            decoder.append(Self.stream[cut...])
            messages += try Self.decodeAll(&decoder)
            #expect(messages == expected, "cut at \(cut)")
        }
    }

    @Test func byteByByteDelivery() throws {
        var decoder = RTSPStreamDecoder()
        var messages: [RTSPMessage] = []
        for byte in Self.stream {
            decoder.append([byte])
            messages += try Self.decodeAll(&decoder)
        }
        #expect(messages.count == 5)
    }

    @Test func requestsFromTheServerAndBareLineFeeds() throws {
        var decoder = RTSPStreamDecoder()
        decoder.append(Array("\r\nGET_PARAMETER rtsp://cam/ RTSP/1.0\nCSeq: 9\n\n".utf8))
        let messages = try Self.decodeAll(&decoder)
        guard case .request(let request) = messages.first else { Issue.record("expected a request"); return }
        #expect(request.method == "GET_PARAMETER")
        #expect(request.headers["cseq"] == "9")
    }

    @Test func limitsAreEnforced() {
        var big = RTSPStreamDecoder()
        big.append(Array(("RTSP/1.0 200 OK\r\nX: " + String(repeating: "a", count: 17_000)).utf8))
        #expect(throws: RTSPError.self) { try big.next() }

        var body = RTSPStreamDecoder()
        body.append(Array("RTSP/1.0 200 OK\r\nContent-Length: 70000\r\n\r\n".utf8))
        #expect(throws: RTSPError.self) { try body.next() }

        var many = RTSPStreamDecoder()
        many.append(Array(("RTSP/1.0 200 OK\r\n" + (0..<65).map { "X\($0): 1\r\n" }.joined() + "\r\n").utf8))
        #expect(throws: RTSPError.self) { try many.next() }

        var negative = RTSPStreamDecoder()
        negative.append(Array("RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n".utf8))
        #expect(throws: RTSPError.self) { try negative.next() }
    }

    @Test func garbageIsSkippedOrRefusedNeverTrapped() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            var decoder = RTSPStreamDecoder()
            let length = Int.random(in: 0...200, using: &random)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            if Bool.random(using: &random) { bytes = Array(Self.stream.prefix(Int.random(in: 0...Self.stream.count, using: &random))) + bytes }
            decoder.append(bytes)
            for _ in 0..<100 {
                guard let message = try? decoder.next() else { break }
                _ = message
            }
        }
        for cut in 0..<Self.describeResponse.count {
            var decoder = RTSPStreamDecoder()
            decoder.append(Self.describeResponse[..<cut])
            #expect((try? decoder.next()) == nil)
        }
    }

    @Test func requestWriterRefusesLineBreaks() {
        var bytes: [UInt8] = []
        let request = RTSPRequest(method: "OPTIONS", uri: "rtsp://cam/", headers: RTSPHeaders([("User-Agent", "a\r\nEvil: 1")]))
        #expect(throws: RTSPError.self) { try request.write(into: &bytes) }
    }
}

struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
