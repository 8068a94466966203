import CBridgeNSS
import CBridgeShim
import CBridgeSRTP

/// One direction of SRTP and SRTCP with libsrtp2: an outbound context protects, an inbound one unprotects.
///
/// Protection works in place on a caller-owned buffer with room for the tag (`profile.rtpOverhead`), so the
/// per-packet path allocates nothing. Failures come back as `SRTPError` values to count, never as traps.
/// Not thread-safe: a context belongs to the one event loop its session lives on.
public final class SRTPContext {
    public enum Direction: Sendable {
        case outbound, inbound
    }

    public let profile: SRTPProfile
    public let direction: Direction
    private var session: srtp_t?

    /// libsrtp's global state, initialised once per process, after NSS (see `mb_nss_init_for_srtp`).
    private static let initialised: Bool = mb_nss_init_for_srtp() == 0 && srtp_init() == srtp_err_status_ok

    public init(profile: SRTPProfile, key: [UInt8], salt: [UInt8], direction: Direction) throws(SRTPError) {
        guard Self.initialised else { throw SRTPError(.setup, "srtp_init failed") }
        guard key.count == profile.keyLength, salt.count == profile.saltLength else {
            throw SRTPError(.setup, "key and salt must be \(profile.keyLength) and \(profile.saltLength) bytes")
        }
        self.profile = profile
        self.direction = direction
        var policy = srtp_policy_t()
        switch profile {
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        case .aes128CMHMACSHA1_80:
            mb_srtp_policy_aes_cm_128_hmac_sha1_80(&policy.rtp)
            mb_srtcp_policy_aes_cm_128_hmac_sha1_80(&policy.rtcp)
        }
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 1024
        // NACK answers resend a packet with its original sequence number.
        policy.allow_repeat_tx = 1
        var master = key + salt
        var created: srtp_t?
        let status = master.withUnsafeMutableBufferPointer { buffer -> srtp_err_status_t in
            policy.key = buffer.baseAddress
            return srtp_create(&created, &policy)
        }
        // libsrtp copied the key; do not keep it around.
        for index in master.indices { master[index] = 0 }
        guard status == srtp_err_status_ok, let created else {
            throw SRTPError(.setup, "srtp_create failed with status \(status.rawValue)")
        }
        session = created
    }

    deinit {
        if let session { srtp_dealloc(session) }
    }

    /// Protects the RTP packet in `buffer[0..<length]` in place; returns the protected length.
    /// `buffer` must hold `length + profile.rtpOverhead` bytes.
    public func protect(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length: length, overhead: profile.rtpOverhead, srtp_protect)
    }

    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length: length, overhead: profile.rtcpOverhead, srtp_protect_rtcp)
    }

    /// Checks and decrypts in place; returns the plain length. Authentication and replay failures throw.
    public func unprotect(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length: length, overhead: 0, srtp_unprotect)
    }

    public func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length: length, overhead: 0, srtp_unprotect_rtcp)
    }

    private func run(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, overhead: Int,
        _ operation: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws(SRTPError) -> Int {
        guard length >= 12, length + overhead <= buffer.count, length <= Int(Int32.max) else {
            throw SRTPError(.tooShort, "packet of \(length) bytes in a buffer of \(buffer.count)")
        }
        var size = Int32(length)
        let status = operation(session, buffer.baseAddress, &size)
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
        return Int(size)
    }

    /// Convenience for tests and control paths: protects a copy.
    public func protect(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(packet, overhead: profile.rtpOverhead) { (buffer, length) throws(SRTPError) in try protect(buffer, length: length) }
    }

    public func protectRTCP(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(packet, overhead: profile.rtcpOverhead) { (buffer, length) throws(SRTPError) in try protectRTCP(buffer, length: length) }
    }

    public func unprotect(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(packet, overhead: 0) { (buffer, length) throws(SRTPError) in try unprotect(buffer, length: length) }
    }

    public func unprotectRTCP(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(packet, overhead: 0) { (buffer, length) throws(SRTPError) in try unprotectRTCP(buffer, length: length) }
    }

    private func transform(
        _ packet: [UInt8], overhead: Int, _ body: (UnsafeMutableRawBufferPointer, Int) throws(SRTPError) -> Int
    ) throws(SRTPError) -> [UInt8] {
        var buffer = packet + [UInt8](repeating: 0, count: overhead)
        let result = buffer.withUnsafeMutableBytes { bytes in
            Result { () throws(SRTPError) -> Int in try body(bytes, packet.count) }
        }
        return Array(buffer[0..<(try result.get())])
    }
}

/// Why SRTP refused a packet or a key.
public struct SRTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        case setup, tooShort = "srtp-too-short", authentication = "srtp-auth", replay = "srtp-replay", other = "srtp-other"
    }

    public let reason: Reason
    public let message: String

    init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    init(status: srtp_err_status_t) {
        switch status {
        case srtp_err_status_auth_fail: self.init(.authentication, "authentication failed")
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: self.init(.replay, "replayed or too old")
        default: self.init(.other, "libsrtp status \(status.rawValue)")
        }
    }

    public var description: String { "SRTP: \(message)" }
}
