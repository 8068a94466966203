/// What kind of network an address belongs to, for deciding how far to trust a peer's SDP address (the
/// symmetric RTP latch) and for matching addresses across IPv4 and IPv4-mapped IPv6.
extension TransportAddress {
    /// The IPv4 bytes of an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 section 2.5.5.2), the
    /// bytes as they are otherwise: what a dual-stack socket reports and what an IPv4 socket reports compare equal.
    public var unmappedAddressBytes: [UInt8] { Array(hostBytes) }

    /// `unmappedAddressBytes` as a slice of `addressBytes`: the comparisons below allocate nothing (the
    /// symmetric RTP latch asks them per packet while it learns).
    private var hostBytes: ArraySlice<UInt8> {
        let mapped = addressBytes.count == 16 && addressBytes.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
        return mapped ? addressBytes.suffix(4) : addressBytes[...]
    }

    /// Whether both name the same host, whatever the ports (IPv4-mapped IPv6 counts as IPv4).
    public func hasSameIP(as other: TransportAddress) -> Bool {
        hostBytes.elementsEqual(other.hostBytes)
    }

    /// `0.0.0.0` or `::`: no address at all (an SDP hold, or a peer that does not know its own).
    public var isUnspecified: Bool {
        hostBytes.allSatisfy { $0 == 0 }
    }

    /// Whether the address is reachable across the internet: not unspecified, loopback, link-local,
    /// private (RFC 1918, RFC 4193 ULA), shared (RFC 6598, carrier-grade NAT), multicast or broadcast.
    /// A peer that advertises a public address sends from it; one that advertises any other may be behind NAT.
    public var isPublic: Bool {
        let bytes = unmappedAddressBytes
        guard let first = bytes.first, bytes.count > 1, !isUnspecified else { return false }
        let second = bytes[1]
        if bytes.count == 4 {
            switch first {
            case 0, 10, 127: return false
            case 100: return !(64...127).contains(second)
            case 169: return second != 254
            case 172: return !(16...31).contains(second)
            case 192: return second != 168
            case 224...255: return false
            default: return true
            }
        }
        let loopback = bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1
        let uniqueLocal = first & 0xFE == 0xFC
        let linkLocal = first == 0xFE && second & 0xC0 == 0x80
        return !loopback && !uniqueLocal && !linkLocal && first != 0xFF
    }
}
