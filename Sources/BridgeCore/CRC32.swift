/// CRC-32 (ISO 3309 / ITU-T V.42, the one zlib and STUN FINGERPRINT use, RFC 8489 section 14.7).
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var running = Running()
        running.update(bytes)
        return running.value
    }

    /// A checksum over several pieces in turn (no concatenated copy).
    public struct Running: Sendable {
        private var crc: UInt32 = 0xFFFF_FFFF

        public init() {}

        public mutating func update(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { update(byte: byte) }
        }

        /// The same over raw bytes, without generic dispatch (the STUN hot path).
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            for byte in bytes { update(byte: byte) }
        }

        @inline(__always)
        public mutating func update(byte: UInt8) {
            crc = CRC32.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }

        public var value: UInt32 { crc ^ 0xFFFF_FFFF }
    }
}
