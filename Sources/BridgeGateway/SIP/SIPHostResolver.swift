import BridgeCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns a host into an address for SIP (A/AAAA only: no NAPTR or SRV, RFC 3263 is not implemented). IP
/// literals need no lookup; names go through getaddrinfo on a background queue, never on an event loop.
enum SIPHostResolver {
    static func literal(_ host: String, port: UInt16) -> TransportAddress? {
        TransportAddress(host, port: port)
    }

    /// The first IPv4 (else IPv6) address of `host`, or nil.
    static func resolve(_ host: String, port: UInt16) async -> TransportAddress? {
        if let address = literal(host, port: port) { return address }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: lookUp(host, port: port)) }
        }
    }

    /// Blocking; call off the event loops.
    static func lookUp(_ host: String, port: UInt16) -> TransportAddress? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(first) }
        var found: [TransportAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                if entry.pointee.ai_family == AF_INET {
                    let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                    }
                    if let value = TransportAddress(addressBytes: bytes, port: port) { found.append(value) }
                } else if entry.pointee.ai_family == AF_INET6 {
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    if let value = TransportAddress(addressBytes: bytes, port: port) { found.append(value) }
                }
            }
            cursor = entry.pointee.ai_next
        }
        return found.first { $0.family == .ipv4 } ?? found.first
    }
}
