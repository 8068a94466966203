import CBridgeOpenSSL

/// Why a DTLS handshake or certificate operation failed, with OpenSSL's own reason when it gave one.
public struct DTLSError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    /// The message with OpenSSL's queued errors appended (and the queue cleared).
    static func openSSL(_ what: String) -> DTLSError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0, reasons.count < 4 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        ERR_clear_error()
        return DTLSError(reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }

    public var description: String { "DTLS: \(message)" }
}
