@testable import BridgeSDP
import Testing
import Foundation

@Suite struct SDPRoundTripTests {
    /// Fixtures that are not valid SDP as sent, and so cannot come back byte for byte: the parser
    /// tolerates the quirk and writes valid SDP instead.
    static let notValidAsSent: [String: String] = [
        "camera-vstarcam.sdp": "blank line at the end",
    ]

    @Test func thereAreFixtures() {
        #expect(SDPFixtures.names.count >= 25)
    }

    @Test(arguments: SDPFixtures.names)
    func parseThenWriteGivesBackTheSameText(name: String) throws {
        let text = SDPFixtures.text(name)
        let description = try SDPFixtures.parse(name)
        if let reason = Self.notValidAsSent[name] {
            #expect(description.write() != text, "\(name) is listed as not round-tripping (\(reason)) but does")
        } else {
            #expect(description.write() == text)
        }
    }

    @Test(arguments: SDPFixtures.names)
    func parseWriteParseIsStable(name: String) throws {
        let first = try SDPFixtures.parse(name)
        let second = try SessionDescription(parsing: first.write())
        #expect(second == first)
        #expect(second.write() == first.write())
    }

    @Test func lineEndingsAndMissingFinalNewlineArePreserved() throws {
        for text in ["v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n", "v=0\r\ns=-\r\nt=0 0", "v=0\r\nm=audio 9 RTP/AVP 0\r\na=sendonly"] {
            #expect(try SessionDescription(parsing: text).write() == text)
        }
    }

    @Test func unknownAttributesAndOrderAreKept() throws {
        let text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\na=x-vendor:thing 1 2\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=zzz\r\na=rtpmap:96 H264/90000\r\na=Media_header:MEDIAINFO=494D;\r\n"
        let description = try SessionDescription(parsing: text)
        #expect(description.write() == text)
        #expect(description.attribute("x-vendor") == "thing 1 2")
        #expect(description.media[0].attributes.map(\.name) == ["zzz", "rtpmap", "Media_header"])
    }

    /// Property test: generated descriptions (seeded, so failures repeat) survive write and parse.
    @Test(arguments: 0..<200)
    func generatedDescriptionsRoundTrip(seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        let description = SDPGenerator.description(using: &generator)
        let text = description.write()
        let parsed = try SessionDescription(parsing: text)
        #expect(parsed == description)
        #expect(parsed.write() == text)
    }
}

/// SplitMix64: a small, seeded generator for property tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Valid random descriptions: any mix of session lines, media sections and attributes, including
/// attribute values with colons, spaces and UTF-8.
enum SDPGenerator {
    static let words = ["foo", "bar", "x-vendor", "rtpmap", "fmtp", "ssrc", "control", "extmap", "ice-ufrag", "é", "1:2:3", "a b", "="]

    static func value(using generator: inout SeededGenerator) -> String {
        (0..<Int.random(in: 1...4, using: &generator)).map { _ in words.randomElement(using: &generator) ?? "x" }.joined(separator: " ")
    }

    static func description(using generator: inout SeededGenerator) -> SessionDescription {
        var session = [SDPLine("v", "0"), SDPLine("o", "- \(generator.next() % 1_000_000) 1 IN IP4 192.0.2.1"), SDPLine("s", "-")]
        for _ in 0..<Int.random(in: 0...5, using: &generator) {
            let type = Array("cbtrzkia").randomElement(using: &generator) ?? "a"
            session.append(SDPLine(type, value(using: &generator)))
        }
        var media: [MediaDescription] = []
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            let formats = (0..<Int.random(in: 1...5, using: &generator)).map { _ in String(Int.random(in: 0...127, using: &generator)) }
            var section = MediaDescription(
                media: ["audio", "video", "application"].randomElement(using: &generator) ?? "audio",
                port: Int.random(in: 0...65535, using: &generator),
                portCount: Bool.random(using: &generator) ? nil : Int.random(in: 1...4, using: &generator),
                proto: ["RTP/AVP", "UDP/TLS/RTP/SAVPF", "RTP/SAVP"].randomElement(using: &generator) ?? "RTP/AVP",
                formats: formats)
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                let name = words.randomElement(using: &generator)?.replacingOccurrences(of: " ", with: "") ?? "x"
                section.append(Bool.random(using: &generator) ? .attribute(name.isEmpty ? "x" : name, value(using: &generator)) : SDPLine("b", "AS:\(generator.next() % 9999)"))
            }
            media.append(section)
        }
        let ending: SessionDescription.LineEnding = Bool.random(using: &generator) ? .crlf : .lf
        return SessionDescription(sessionLines: session, media: media, lineEnding: ending, endsWithLineEnding: Bool.random(using: &generator))
    }
}
