/// Bytes as hexadecimal text and back: SDP fmtp values (`profile-level-id`, AAC `config`), certificate
/// fingerprints, Digest hashes. Decoding never traps: anything that is not whole hex pairs is nil.
public enum Hex {
    private static let lower = Array("0123456789abcdef".utf8)
    private static let upper = Array("0123456789ABCDEF".utf8)

    /// `[0x42, 0xE0]` → `42e0`; with `separator` `:` and `uppercase` → `42:E0` (fingerprints).
    public static func encode(_ bytes: some Sequence<UInt8>, uppercase: Bool = false, separator: String = "") -> String {
        let digits = uppercase ? upper : lower
        var text = ""
        for byte in bytes {
            if !text.isEmpty { text += separator }
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0x0F)]))
        }
        return text
    }

    /// `42e01f`, `42E01F` or `42:E0:1F` → bytes; nil for an odd count of digits or anything else.
    public static func decode(_ text: some StringProtocol, allowingSeparator separator: Character? = nil) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in text {
            if let separator, character == separator, high == nil { continue }
            guard let value = character.hexDigitValue else { return nil }
            if let first = high {
                bytes.append(first << 4 | UInt8(value))
                high = nil
            } else {
                high = UInt8(value)
            }
        }
        return high == nil ? bytes : nil
    }
}
