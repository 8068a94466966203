@testable import BridgeSDP
import Testing

/// Bad input is a value: every malformed description gives an `SDPError` that names the line, never a trap,
/// in bounded time and memory.
@Suite struct SDPMalformedInputTests {
    func error(_ text: String, limits: SDPLimits = .default) -> SDPError? {
        do {
            _ = try SessionDescription(parsing: text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: SDPFixtures.names)
    func everyTruncationParsesOrNamesTheCutLine(name: String) {
        let bytes = SDPFixtures.bytes(name)
        for length in 0..<bytes.count {
            let cut = Array(bytes[..<length])
            do {
                let description = try SessionDescription(parsing: cut)
                // Whatever parsed must survive the typed views (sampled: they cost more than parsing).
                if length % 97 == 0 {
                    _ = description.media.map { ($0.codecs, $0.candidates, $0.extMaps, $0.cryptos, $0.connection) }
                }
            } catch {
                // A cut can only break the line it falls in (the last one), or leave nothing.
                let lines = cut.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
                let lastLine = cut.last == UInt8(ascii: "\n") ? lines - 1 : lines
                #expect(error.line == nil || error.line == lastLine, "\(name) cut at \(length): \(error)")
            }
        }
    }

    @Test func binaryGarbageIsRefusedWithALine() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...600, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            do {
                _ = try SessionDescription(parsing: bytes)
            } catch {
                #expect(error.line != nil || error.message == "empty description")
            }
        }
    }

    @Test func controlCharactersAndBinaryInValues() {
        #expect(error("v=0\r\ns=a\u{0}b\r\n")?.description == "SDP line 2: control character 0x0 in value")
        #expect(error("v=0\r\ns=a\rb\r\n")?.description == "SDP line 2: control character 0xd in value")
    }

    @Test func invalidUTF8NamesTheLine() {
        #expect(throws: SDPError.malformed(line: 2, "value is not UTF-8 text")) {
            try SessionDescription(parsing: [0x76, 0x3D, 0x30, 0x0D, 0x0A, 0x73, 0x3D, 0xFF, 0xFE])
        }
    }

    @Test func structureErrorsNameTheLine() {
        #expect(error("s=-\r\nv=0\r\n")?.description == "SDP line 1: a description starts with v=0")
        #expect(error("v=0\r\nhello\r\n")?.description == #"SDP line 2: expected <letter>=<value>, found "hello""#)
        #expect(error("v=0\r\nA=b\r\n")?.description == #"SDP line 2: expected <letter>=<value>, found "A=b""#)
        #expect(error("v=0\r\nm=audio\r\n")?.description == #"SDP line 2: m= needs media, port, protocol and formats, found "audio""#)
        #expect(error("v=0\r\nm=audio 70000 RTP/AVP 0\r\n")?.line == 2)
        #expect(error("v=0\r\nm=audio x/2 RTP/AVP 0\r\n")?.line == 2)
        #expect(error("")?.description == "SDP: empty description")
        #expect(error("\r\n\r\n")?.description == "SDP: empty description")
    }

    @Test func hundredThousandLinesStopAtTheLimit() {
        let text = "v=0\r\n" + String(repeating: "a=x\r\n", count: 100_000)
        #expect(error(text)?.description == "SDP line 2001: more than 2000 lines")
    }

    @Test func aOneMegabyteLineStopsAtTheLimit() {
        let text = "v=0\r\ns=" + String(repeating: "x", count: 1 << 20) + "\r\n"
        #expect(error(text)?.description == "SDP line 2: line is longer than 4096 bytes")
    }

    @Test func totalSizeIsBounded() {
        let line = "a=" + String(repeating: "y", count: 4000) + "\r\n"
        let text = "v=0\r\n" + String(repeating: line, count: 20)
        #expect(error(text)?.description == "SDP line 18: description is longer than 65536 bytes")
    }

    @Test func mediaSectionCountIsBounded() {
        let text = "v=0\r\n" + String(repeating: "m=audio 9 RTP/AVP 0\r\n", count: 65)
        #expect(error(text)?.description == "SDP line 66: more than 64 media sections")
    }

    @Test func tolerantWhereDevicesDiffer() throws {
        // LF only, blank lines, trailing spaces, no final newline, m= with extra spaces.
        let description = try SessionDescription(parsing: "v=0\n\ns=cam \nm=video  0  RTP/AVP  96 \na=rtpmap:96 H264/90000")
        #expect(description.media.first?.formats == ["96"])
        #expect(description.media.first?.rtpMaps.first?.encodingName == "H264")
        #expect(description.lineEnding == .lf)
    }

    @Test func malformedAttributeValuesAreSkippedNotTrappedOn() throws {
        let text = """
            v=0\r
            m=video 9 UDP/TLS/RTP/SAVPF 96 300 x\r
            a=rtpmap:96\r
            a=rtpmap:x H264/90000\r
            a=rtpmap:97 H264/0\r
            a=fmtp:\r
            a=rtcp-fb:96\r
            a=extmap:0 urn:x\r
            a=extmap:15 urn:x\r
            a=candidate:1 1 udp 99999999999 1.2.3.4 1 typ host\r
            a=candidate:1 1 udp 1 1.2.3.4 70000 typ host\r
            a=fingerprint:sha-256 ZZ:00\r
            a=crypto:1 AES_CM_128_HMAC_SHA1_80 key\r
            a=ssrc:-1 cname:x\r
            a=ssrc-group:FID 1 x\r
            a=setup:sideways\r
            a=rtcp:99999\r
            b=AS\r
            c=IN\r

            """
        let media = try #require(try SessionDescription(parsing: text).media.first)
        #expect(media.rtpMaps.isEmpty)
        #expect(media.formatParameters.isEmpty)
        #expect(media.rtcpFeedback.isEmpty)
        #expect(media.extMaps.isEmpty)
        #expect(media.candidates.isEmpty)
        #expect(media.fingerprint == nil)
        #expect(media.cryptos.isEmpty)
        #expect(media.ssrcAttributes.isEmpty)
        #expect(media.ssrcGroups.isEmpty)
        #expect(media.setup == nil)
        #expect(media.rtcpAttribute == nil)
        #expect(media.bandwidths.isEmpty)
        #expect(media.connection == nil)
        // 96's rtpmap is there but does not parse: the format is left out rather than guessed at.
        #expect(media.codecs.isEmpty)
        #expect(media.invalidRTPMaps.contains("96"))
    }
}
