/// The CSeq header (RFC 3261 section 20.16): a sequence number below 2^31 and the request's method.
public struct SIPCSeq: Sendable, Hashable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod

    public init(_ sequence: UInt32, _ method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public var description: String { "\(sequence) \(method)" }

    public init(parsing text: String) throws(SIPError) {
        let parts = text.split(whereSeparator: SIPGrammar.isWhitespace)
        guard parts.count == 2 else { throw .malformed("CSeq", "expected a number and a method") }
        guard parts[0].utf8.count <= 10, parts[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let number = UInt64(parts[0]), number < 1 << 31 else {
            throw .malformed("CSeq", "'\(parts[0].prefix(24))' is not a number below 2^31")
        }
        guard let method = SIPMethod(String(parts[1])) else { throw .malformed("CSeq", "method is not a token") }
        sequence = UInt32(number)
        self.method = method
    }
}

/// A Call-ID (RFC 3261 section 20.8): `word ["@" word]`, compared byte for byte.
public struct SIPCallID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(parsing text: String) throws(SIPError) {
        let value = SIPGrammar.trimmed(text)
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(SIPGrammar.isWordCharacter) }) else {
            throw .malformed("Call-ID", "not word[@word]")
        }
        rawValue = String(value)
    }

    /// A fresh Call-ID: 16 random bytes in hex, `@host` when given.
    public static func random(host: String? = nil, using generator: inout some RandomNumberGenerator) -> SIPCallID {
        let id = SIPRandom.hex(bytes: 16, using: &generator)
        return SIPCallID(unchecked: host.map { "\(id)@\($0)" } ?? id)
    }

    private init(unchecked: String) {
        rawValue = unchecked
    }

    public var description: String { rawValue }
}

/// Random identifiers: branches, tags, Call-IDs, cnonces. Protocol cores take the generator as a parameter
/// so tests can seed it.
public enum SIPRandom {
    public static func hex(bytes count: Int, using generator: inout some RandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for _ in 0..<count {
            let byte = UInt8.random(in: 0...255, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    /// A Via branch with the RFC 3261 magic cookie.
    public static func branch(using generator: inout some RandomNumberGenerator) -> String {
        SIPVia.magicCookie + hex(bytes: 10, using: &generator)
    }

    /// A From/To tag.
    public static func tag(using generator: inout some RandomNumberGenerator) -> String {
        hex(bytes: 6, using: &generator)
    }
}
