import BridgeCore

/// An IP address or a CIDR block (`192.0.2.7`, `10.0.0.0/8`, `2001:db8::/32`) for SIP trunk allow lists.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// Network byte order; 4 or 16 bytes, host bits cleared.
    public let addressBytes: [UInt8]
    public let prefixLength: Int

    /// Parses an address or a block; nil for anything else (host names, bad prefixes).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = TransportAddress(String(first), port: 0) else { return nil }
        let bits = address.addressBytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard parts[1].allSatisfy(\.isASCII), let value = Int(parts[1]), (0...bits).contains(value) else { return nil }
            length = value
        }
        prefixLength = length
        addressBytes = Self.masked(address.addressBytes, prefixLength: length)
    }

    /// Whether `address` (IPv4-mapped IPv6 counts as IPv4) is inside the block.
    public func contains(_ address: TransportAddress) -> Bool {
        let bytes = addressBytes.count == 4 ? address.unmappedAddressBytes : address.addressBytes
        guard bytes.count == addressBytes.count else { return false }
        return Self.masked(bytes, prefixLength: prefixLength) == addressBytes
    }

    private static func masked(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bitsHere = min(8, max(0, prefixLength - index * 8))
            let mask: UInt8 = bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsHere))
            return byte & mask
        }
    }

    public var description: String {
        let address = TransportAddress(addressBytes: addressBytes, port: 0)?.ipString ?? "?"
        return prefixLength == addressBytes.count * 8 ? address : "\(address)/\(prefixLength)"
    }
}
