import BridgeCore
@testable import BridgeSTUN
import Testing

@Suite struct STUNMalformedInputTests {
    @Test func everyTruncationIsAnError() {
        for vector in [RFC5769VectorTests.request, RFC5769VectorTests.responseIPv4, RFC5769VectorTests.responseIPv6] {
            for length in 0..<vector.count {
                #expect(throws: STUNError.self) { try STUNMessage(parsing: Array(vector[..<length])) }
            }
        }
    }

    @Test func randomBytesNeverTrap() {
        var state: UInt64 = 42
        func next() -> UInt64 { state = state &* 6_364_136_223_846_793_005 &+ 1; return state >> 33 }
        var parsed = 0
        for _ in 0..<10_000 {
            var bytes = (0..<Int(next() % 120)).map { _ in UInt8(truncatingIfNeeded: next()) }
            // Half of them get a valid header so the attribute walk is exercised.
            if next() % 2 == 0, bytes.count >= 20 {
                bytes[0] = 0; bytes[1] = 1
                let length = bytes.count - 20
                bytes[2] = UInt8(length >> 8); bytes[3] = UInt8(length & 0xFF)
                bytes[4] = 0x21; bytes[5] = 0x12; bytes[6] = 0xA4; bytes[7] = 0x42
            }
            if let message = try? STUNMessage(parsing: bytes) {
                parsed += 1
                _ = (message.username, message.priority, message.xorMappedAddress, message.errorCode, message.iceControlling)
                _ = STUNIntegrity.hasValidIntegrity(message, key: [1, 2, 3])
                _ = STUNIntegrity.hasValidFingerprint(message)
            }
        }
        #expect(parsed > 20)
    }

    @Test func impossibleLengthsAreRefused() {
        var bytes = RFC5769VectorTests.responseIPv4
        bytes[3] = 0xFF  // length field larger than the datagram
        #expect(throws: STUNError.self) { try STUNMessage(parsing: bytes) }
        var attribute = RFC5769VectorTests.responseIPv4
        attribute[23] = 0xF0  // SOFTWARE's length runs past the end
        #expect(throws: STUNError.self) { try STUNMessage(parsing: attribute) }
        var odd = RFC5769VectorTests.responseIPv4
        odd[3] = 0x3B  // not a multiple of 4
        #expect(throws: STUNError.self) { try STUNMessage(parsing: odd) }
    }

    @Test func attributesAfterIntegrityOtherThanFingerprintInvalidateIt() throws {
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: .random())
        builder.appendUsername("a:b")
        builder.appendMessageIntegrity(key: [1, 2, 3])
        builder.appendPriority(1)
        let message = try STUNMessage(parsing: builder.message)
        #expect(!STUNIntegrity.hasValidIntegrity(message, key: [1, 2, 3]))
    }

    @Test func tooManyAttributesAreRefused() {
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: .random())
        for _ in 0..<40 { builder.appendPriority(1) }
        #expect(throws: STUNError.self) { try STUNMessage(parsing: builder.message) }
    }
}
