import BridgeCore
import BridgeSRTP
import CBridgeOpenSSL
import CBridgeShim

/// One DTLS 1.2 association over memory BIOs, sans-IO: datagrams in with `handleDatagram`, datagrams out
/// with `pollDatagram`, retransmissions through `nextTimeout` / `handleTimeout`.
///
/// Determinism ends here: OpenSSL keeps its own retransmission clock (DTLSv1_get_timeout reads the system
/// time), so `nextTimeout(now:)` translates OpenSSL's remaining time onto the caller's clock.
/// Not thread-safe: it belongs to the event loop of its session.
public final class DTLSTransport {
    public enum Role: Sendable, Hashable {
        /// Sends the ClientHello (`a=setup:active`).
        case client
        /// Waits for it (`a=setup:passive`): the gateway's usual role, so its SRTP profile order wins.
        case server
    }

    public enum State: Sendable, Hashable {
        case handshaking
        case connected(SRTPKeyingMaterial)
        case failed(String)
        case closed
    }

    /// The datagram size limit for handshake flights (WebRTC's usual 1200 bytes).
    public static let mtu = 1200

    public let role: Role
    public private(set) var state: State = .handshaking
    private let ssl: OpaquePointer
    private var readBIO: OpaquePointer
    private var writeBIO: OpaquePointer
    /// Fingerprints from the peer's SDP (`sha-256 AB:…`); the peer's certificate must match one.
    private let remoteFingerprints: [(hashFunction: String, value: String)]
    private var outgoing: [[UInt8]] = []
    private var started = false

    public init(context: DTLSContext, role: Role, remoteFingerprints: [(hashFunction: String, value: String)]) throws(DTLSError) {
        guard let ssl = SSL_new(context.context) else { throw .openSSL("SSL_new failed") }
        guard let (readBIO, writeBIO) = Self.attachMemoryBIOs(to: ssl) else {
            SSL_free(ssl)
            throw .openSSL("BIO_new failed")
        }
        _ = mb_dtls_set_link_mtu(ssl, Self.mtu)
        _ = mb_ssl_set_mtu(ssl, Self.mtu - 28)
        if role == .client { SSL_set_connect_state(ssl) } else { SSL_set_accept_state(ssl) }
        // Retransmit a lost flight after 250 ms, doubling up to 4 s (RFC 6347's 1 s start is slow for calls;
        // aiortc's client waits a full second before its first retry, INTEROP-NOTES.md).
        DTLS_set_timer_cb(ssl) { _, previous in previous == 0 ? 250_000 : min(previous * 2, 4_000_000) }
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        self.role = role
        self.remoteFingerprints = remoteFingerprints.map { ($0.hashFunction.lowercased(), $0.value.uppercased()) }
    }

    deinit {
        SSL_free(ssl)  // frees both BIOs
    }

    /// Starts the handshake: the client emits its ClientHello; the server just waits.
    public func start() {
        guard !started else { return }
        started = true
        if role == .client { advanceHandshake() }
    }

    /// Feeds one DTLS datagram (first byte 20...63, RFC 7983).
    public func handleDatagram(_ datagram: [UInt8]) {
        switch state {
        case .failed, .closed: return
        case .handshaking, .connected: break
        }
        started = true
        guard !datagram.isEmpty, datagram.count <= 65_536 else { return }
        let written = datagram.withUnsafeBytes { BIO_write(readBIO, $0.baseAddress, Int32($0.count)) }
        guard written == datagram.count else { return fail("cannot buffer the datagram") }
        if case .handshaking = state {
            advanceHandshake()
        } else {
            readApplicationData()
        }
        drainWriteBIO()
    }

    /// The next datagram to send, until nil.
    public func pollDatagram() -> [UInt8]? {
        drainWriteBIO()
        return outgoing.isEmpty ? nil : outgoing.removeFirst()
    }

    /// When OpenSSL wants to retransmit a flight, on the caller's clock.
    public func nextTimeout(now: MonotonicInstant) -> MonotonicInstant? {
        guard case .handshaking = state, started else { return nil }
        let remaining = mb_dtls_get_timeout_us(ssl)
        guard remaining >= 0 else { return nil }
        return now + .microseconds(remaining)
    }

    /// Retransmits the last flight if OpenSSL's timer ran out.
    public func handleTimeout() {
        guard case .handshaking = state else { return }
        if mb_dtls_handle_timeout(ssl) < 0 { return fail(DTLSError.openSSL("handshake timed out").message) }
        drainWriteBIO()
    }

    /// Sends close_notify.
    public func close() {
        guard case .connected = state else { state = .closed; return }
        _ = SSL_shutdown(ssl)
        drainWriteBIO()
        state = .closed
    }

    // MARK: Internals

    /// Gives `ssl` a fresh pair of memory BIOs (freeing any it had); nil if OpenSSL is out of memory.
    private static func attachMemoryBIOs(to ssl: OpaquePointer) -> (read: OpaquePointer, write: OpaquePointer)? {
        guard let read = BIO_new(BIO_s_mem()) else { return nil }
        guard let write = BIO_new(BIO_s_mem()) else { BIO_free(read); return nil }
        // An empty read BIO means "no data yet", not end of file.
        _ = mb_bio_set_mem_eof_return(read, -1)
        _ = mb_bio_set_mem_eof_return(write, -1)
        SSL_set_bio(ssl, read, write)
        return (read, write)
    }

    /// The memory BIOs grew to hold the handshake's flights and never shrink: once it is done (and its last
    /// flight drained), a fresh pair costs a few hundred bytes instead of some 20 KiB per session. OpenSSL
    /// keeps its own copy of the last flight for retransmission, so nothing a late peer needs is lost.
    private func releaseHandshakeBuffers() {
        guard case .connected = state, let (read, write) = Self.attachMemoryBIOs(to: ssl) else { return }
        readBIO = read
        writeBIO = write
    }

    private func advanceHandshake() {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            finishHandshake()
            drainWriteBIO()
            releaseHandshakeBuffers()
        } else {
            let error = SSL_get_error(ssl, result)
            if error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE {
                fail(DTLSError.openSSL("handshake failed").message)
            }
        }
        drainWriteBIO()
    }

    private func finishHandshake() {
        guard let peer = SSL_get1_peer_certificate(ssl) else { return fail("the peer sent no certificate") }
        defer { X509_free(peer) }
        let matches = remoteFingerprints.contains { expected in
            (try? DTLSCertificate.fingerprint(of: peer, digest: expected.hashFunction)) == expected.value
        }
        guard matches else { return fail("the peer's certificate does not match the fingerprint in its SDP") }
        guard let selected = SSL_get_selected_srtp_profile(ssl),
              let profile = SRTPProfile(rawValue: UInt16(truncatingIfNeeded: selected.pointee.id)) else {
            return fail("no SRTP profile was negotiated (use_srtp)")
        }
        let length = 2 * (profile.keyLength + profile.saltLength)
        var exported = [UInt8](repeating: 0, count: length)
        let label = "EXTRACTOR-dtls_srtp"
        guard SSL_export_keying_material(ssl, &exported, length, label, label.utf8.count, nil, 0, 0) == 1,
              let keys = SRTPKeyingMaterial(profile: profile, exported: exported, isClient: role == .client) else {
            return fail(DTLSError.openSSL("cannot export the SRTP keys").message)
        }
        state = .connected(keys)
    }

    private func readApplicationData() {
        // WebRTC media sessions carry no DTLS application data here (no data channels): read and discard,
        // which also processes alerts such as close_notify.
        var buffer = [UInt8](repeating: 0, count: 2048)
        for _ in 0..<8 {
            let read = SSL_read(ssl, &buffer, Int32(buffer.count))
            if read > 0 { continue }
            let error = SSL_get_error(ssl, read)
            if error == SSL_ERROR_ZERO_RETURN { state = .closed }
            break
        }
    }

    private func fail(_ reason: String) {
        state = .failed(reason)
    }

    /// Moves what OpenSSL wrote into datagrams: whole DTLS records, packed up to the MTU.
    private func drainWriteBIO() {
        var pointer: UnsafeMutablePointer<CChar>?
        let pending = mb_bio_get_mem_data(writeBIO, &pointer)
        guard pending > 0, let pointer else { return }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: pending).map { $0 }
        _ = mb_bio_reset(writeBIO)
        var datagram: [UInt8] = []
        var offset = 0
        while offset + 13 <= bytes.count {
            let recordLength = 13 + (Int(bytes[offset + 11]) << 8 | Int(bytes[offset + 12]))
            let end = min(offset + recordLength, bytes.count)
            if !datagram.isEmpty && datagram.count + (end - offset) > Self.mtu {
                outgoing.append(datagram)
                datagram = []
            }
            datagram += bytes[offset..<end]
            offset = end
        }
        if offset < bytes.count { datagram += bytes[offset...] }
        if !datagram.isEmpty { outgoing.append(datagram) }
    }
}
