import BridgeCore
@testable import BridgeSTUN
import Testing

/// RFC 5769 test vectors, verbatim (sections 2.1 to 2.3; 2.4 is long-term credentials, which ICE does not use).
@Suite struct RFC5769VectorTests {
    static let password = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)

    /// Section 2.1: sample request (SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME "evtj:h6vY", MI, FINGERPRINT).
    static let request = hex("""
        00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
        00 24 00 04 6e 00 01 ff 80 29 00 08 93 2f f9 b1 51 26 3b 36
        00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
        00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
        80 28 00 04 e5 7a 3b cf
        """)

    /// Section 2.2: sample IPv4 response (XOR-MAPPED-ADDRESS 192.0.2.1:32853).
    static let responseIPv4 = hex("""
        01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 08 00 01 a1 47 e1 12 a6 43
        00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
        80 28 00 04 c0 7d 4c 96
        """)

    /// Section 2.3: sample IPv6 response (XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853).
    static let responseIPv6 = hex("""
        01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
        00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
        80 28 00 04 c8 fb 0b 4c
        """)

    static func hex(_ text: String) -> [UInt8] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt8($0, radix: 16) }
    }

    @Test func sampleRequest() throws {
        let message = try STUNMessage(parsing: Self.request)
        #expect(message.type == .bindingRequest)
        #expect(message.software == "STUN test client")
        #expect(message.priority == 0x6E00_01FF)
        #expect(message.iceControlled == 0x932F_F9B1_5126_3B36)
        #expect(message.username == "evtj:h6vY")
        #expect(STUNIntegrity.hasValidFingerprint(message))
        #expect(STUNIntegrity.hasValidIntegrity(message, key: Self.password))
        #expect(!STUNIntegrity.hasValidIntegrity(message, key: Array("wrong".utf8)))
    }

    @Test func sampleIPv4Response() throws {
        let message = try STUNMessage(parsing: Self.responseIPv4)
        #expect(message.type == .bindingSuccess)
        #expect(message.software == "test vector")
        #expect(message.xorMappedAddress == TransportAddress("192.0.2.1", port: 32853))
        #expect(STUNIntegrity.hasValidFingerprint(message))
        #expect(STUNIntegrity.hasValidIntegrity(message, key: Self.password))
    }

    @Test func sampleIPv6Response() throws {
        let message = try STUNMessage(parsing: Self.responseIPv6)
        #expect(message.xorMappedAddress == TransportAddress("2001:db8:1234:5678:11:2233:4455:6677", port: 32853))
        #expect(STUNIntegrity.hasValidFingerprint(message))
        #expect(STUNIntegrity.hasValidIntegrity(message, key: Self.password))
    }

    /// The builder reproduces both responses byte for byte (the vectors pad SOFTWARE with a space).
    @Test(arguments: [
        (responseIPv4, "192.0.2.1"),
        (responseIPv6, "2001:db8:1234:5678:11:2233:4455:6677"),
    ])
    func builderReproducesTheResponse(vector: [UInt8], address: String) throws {
        let parsed = try STUNMessage(parsing: vector)
        var builder = STUNMessageBuilder(type: .bindingSuccess, transactionID: parsed.transactionID)
        builder.append(.software, Array("test vector".utf8), padding: 0x20)
        builder.appendXORMappedAddress(try #require(TransportAddress(address, port: 32853)))
        builder.appendMessageIntegrity(key: Self.password)
        builder.appendFingerprint()
        #expect(builder.message == vector)
    }

    @Test func messageTypeBitsFollowTheRFCLayout() {
        #expect(STUNMessageType.bindingRequest.rawValue == 0x0001)
        #expect(STUNMessageType.bindingSuccess.rawValue == 0x0101)
        #expect(STUNMessageType.bindingError.rawValue == 0x0111)
        #expect(STUNMessageType.bindingIndication.rawValue == 0x0011)
        #expect(STUNMessageType(rawValue: 0x0111).messageClass == .errorResponse)
        #expect(STUNMessageType(rawValue: 0x0111).method == 1)
    }
}
