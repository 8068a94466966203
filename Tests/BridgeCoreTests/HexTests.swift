import BridgeCore
import Testing

@Suite struct HexTests {
    @Test func encodesLowerUpperAndWithSeparators() {
        #expect(Hex.encode([0x42, 0xE0, 0x1F]) == "42e01f")
        #expect(Hex.encode([0x0A, 0xFF], uppercase: true, separator: ":") == "0A:FF")
        #expect(Hex.encode([UInt8]()) == "")
    }

    @Test func decodesOrRefuses() {
        #expect(Hex.decode("42e01F") == [0x42, 0xE0, 0x1F])
        #expect(Hex.decode("0A:FF", allowingSeparator: ":") == [0x0A, 0xFF])
        #expect(Hex.decode("0A:FF") == nil, "a separator only where allowed")
        #expect(Hex.decode("abc") == nil, "odd digit count")
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("a:b", allowingSeparator: ":") == nil, "a separator inside a pair")
        #expect(Hex.decode("") == [])
    }
}
