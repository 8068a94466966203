@testable import BridgeSIP
import BridgeCore
import Testing

/// Bad input is a value: every truncation and byte flip of every fixture gives a message or a `SIPError`,
/// never a trap, through the parser, every typed view, the stream framer and the transaction layer.
@Suite struct SIPMalformedInputTests {
    /// Parses and, when that works, runs every view (their errors are fine, traps are not).
    static func exercise(_ bytes: [UInt8]) {
        guard let message = try? SIPMessage(parsing: bytes) else { return }
        _ = try? message.validate()
        _ = try? message.vias().map(\.responseAddress)
        _ = try? message.contacts().map(\.expires)
        _ = try? message.requestURI()
        _ = try? message.sessionExpires()
        _ = try? message.authenticationHeaders(.authorization)
        _ = try? message.allow()
        _ = try? message.optionTags()
        // What parses must write, and what is written must parse back to the same message (pion/sdp's
        // fuzz property).
        guard let written = try? message.serialized() else { return }
        let again = try? SIPMessage(parsing: written)
        #expect(again == message, "round trip changed \(String(decoding: written.prefix(200), as: UTF8.self))")
        #expect((try? again?.serialized()) == written)
    }

    @Test(arguments: SIPFixtures.names)
    func everyTruncation(name: String) {
        let bytes = SIPFixtures.bytes(name)
        for length in 0...bytes.count {
            Self.exercise(Array(bytes[..<length]))
        }
    }

    @Test(arguments: SIPFixtures.names)
    func byteFlips(name: String) {
        let bytes = SIPFixtures.bytes(name)
        var generator = SeededGenerator(seed: UInt64(bytes.count))
        let interesting: [UInt8] = [0, 0x0D, 0x0A, 0x20, 0x09, UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: ","),
                                    UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"),
                                    UInt8(ascii: "["), UInt8(ascii: "%"), 0xFF, 0x80]
        for _ in 0..<400 {
            var copy = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !copy.isEmpty {
                let index = Int.random(in: 0..<copy.count, using: &generator)
                copy[index] = Bool.random(using: &generator)
                    ? interesting[Int.random(in: 0..<interesting.count, using: &generator)]
                    : UInt8.random(in: 0...255, using: &generator)
            }
            Self.exercise(copy)
        }
    }

    @Test func randomGarbageThroughTheFramerAndTheTransactionLayer() throws {
        var generator = SeededGenerator(seed: 11)
        var layer = SIPTransactionLayer()
        var framer = SIPStreamFramer()
        let source = TransportAddress(ipv4: 192, 0, 2, 1, port: 5060)
        for round in 0..<300 {
            let count = Int.random(in: 0...400, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 3 == 0 { bytes = Array("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP x;rport\r\n".utf8) + bytes }
            layer.handle(bytes: bytes, from: source, now: .seconds(Double(round)))
            while layer.pollOutput() != nil {}
            framer.append(bytes)
            do {
                while try framer.nextMessage() != nil {}
            } catch {
                framer = SIPStreamFramer()
            }
        }
    }

    /// Found by the SIP fuzzer: 100 header fields without a Content-Length parsed, but writing adds one,
    /// and the written message was past the limit. Now every message read can be written and read back.
    @Test func aMessageAtTheHeaderLimitCanBeWrittenAndReadBack() throws {
        func message(fields: Int, contentLength: Bool) -> [UInt8] {
            var text = "SIP/2.0 100 Trying\r\n"
            for index in 0..<fields { text += "X-Filler-\(index): \(index)\r\n" }
            if contentLength { text += "Content-Length: 0\r\n" }
            return Array((text + "\r\n").utf8)
        }
        #expect(throws: SIPError.self) { try SIPMessage(parsing: message(fields: 100, contentLength: false)) }
        let full = try SIPMessage(parsing: message(fields: 99, contentLength: true))
        let noLength = try SIPMessage(parsing: message(fields: 99, contentLength: false))
        for parsed in [full, noLength] {
            let reread = try SIPMessage(parsing: try parsed.serialized())
            #expect(reread.headers.count == 99)
        }
    }

    @Test func uriAndHeaderEdgeCases() {
        for text in ["sip:", "sip:@h", "sip:[::1", "sip:[zz]", "sip:h:99999", "sip:h:", "sip:h;", "sip:h;=a", "sip:h?x",
                     "sip:h?=1", "sips:%4", "sip:a@h;p=\"", "tel:+1", "sip:h:-1", "sip:-h", "sip:h h"] {
            #expect(throws: SIPError.self, "\(text)") { try SIPURI(parsing: text) }
        }
        for text in ["", "SIP/2.0", "SIP/2.0/UDP", "SIP/2.0/UDP h;rport=x", "SIP/3.0/UDP h", "SIP/2.0/UDP h;branch",
                     "SIP/2.0/UDP [::1", "SIP/2.0/UDP h;;"] {
            #expect(throws: SIPError.self, "\(text)") { try SIPVia(parsing: text) }
        }
        for text in ["", "<sip:a@b", "\"a <sip:a@b>", "a, b <sip:a@b>", "<sip:a@b> x", "<sip:a@b>;", "sip:a@b;tag"] {
            _ = try? SIPNameAddress(parsing: text)
        }
        #expect(throws: SIPError.self) { try SIPNameAddress(parsing: "<sip:a@b") }
        #expect(throws: SIPError.self) { try SIPAuthenticationHeader(parsing: "Digest realm=\"x") }
        #expect(throws: SIPError.self) { try SIPCSeq(parsing: "2147483648 INVITE") }
    }
}
