import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Connection errors in the words `MediaSourceError` uses: "connection refused", "no route to host".
enum RTSPConnectError {
    static func describe(_ error: any Error, host: String, port: Int) -> String {
        let target = "\(host):\(port)"
        if let connection = error as? NIOConnectionError {
            if connection.dnsAError != nil || connection.dnsAAAAError != nil || connection.connectionErrors.isEmpty {
                return "cannot resolve \(host)"
            }
            if let first = connection.connectionErrors.first {
                return describe(first.error, host: host, port: port)
            }
        }
        if let channelError = error as? ChannelError, case .connectTimeout(let amount) = channelError {
            return "connection to \(target) timed out after \(amount.nanoseconds / 1_000_000_000) s"
        }
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case ECONNREFUSED: return "connection refused by \(target)"
            case EHOSTUNREACH: return "no route to host \(host)"
            case ENETUNREACH: return "network unreachable for \(host)"
            case ETIMEDOUT: return "connection to \(target) timed out"
            case ECONNRESET: return "connection reset by \(target)"
            default: return "cannot connect to \(target): \(ioError.description)"
            }
        }
        return "cannot connect to \(target): \(error)"
    }
}
