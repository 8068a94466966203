import BridgeCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One blocking UDP socket on 127.0.0.1 with a free port: a test's SIP phone or registrar, driven by hand.
public final class BlockingUDPSocket {
    public struct BindFailure: Error {}

    let descriptor: Int32
    public let port: UInt16

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound else {
            close(descriptor)
            throw BindFailure()
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }

    /// One datagram, or nil after `milliseconds`.
    public func receive(milliseconds: Int32) -> ([UInt8], TransportAddress)? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, bytes.baseAddress, bytes.count, 0, $0, &length) }
            }
        }
        guard count > 0 else { return nil }
        let ip = withUnsafeBytes(of: from.sin_addr.s_addr) { Array($0) }
        guard let source = TransportAddress(addressBytes: ip, port: UInt16(bigEndian: from.sin_port)) else { return nil }
        return (Array(buffer[..<count]), source)
    }

    public func send(_ bytes: [UInt8], to destination: TransportAddress) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = destination.port.bigEndian
        withUnsafeMutableBytes(of: &address.sin_addr.s_addr) { $0.copyBytes(from: destination.addressBytes.prefix(4)) }
        _ = bytes.withUnsafeBytes { payload in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, payload.baseAddress, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}
