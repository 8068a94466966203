import BridgeCore
import BridgeSIP
import NIOCore
import NIOPosix
import NIOSSL

/// SIP over TCP and TLS: the connections by transport and peer address, accepted ones and ones the gateway
/// opens. A response goes back on the connection its request came on (RFC 3261 section 18.2.2); a request
/// to a peer without a connection opens one and waits for it (section 18.1.1), TLS handshake included.
extension SIPEndpointCore {
    struct ConnectionKey: Hashable, Sendable, CustomStringConvertible {
        let transport: SIPTransport
        let address: TransportAddress

        var description: String { "\(transport) \(address)" }
    }

    /// The host name a TLS connection out checks (and sends as SNI), and how it checks the certificate.
    struct TLSPeer: Sendable {
        var host: String
        var verification: TLSVerification
    }

    /// TCP and TLS connections at once, accepted and opened (`sip.max_connections`).
    var maximumConnections: Int { settings.sip.maxConnections }

    /// A connection arrived over `sip.max_connections` and was closed.
    func connectionRefused() {
        connectionsRefused?.increment()
        logger.warning("SIP: refused a connection: \(maximumConnections) are open (sip.max_connections)")
    }
    /// Requests held for a connection still opening; more fail at once.
    static let maximumPendingMessages = 32
    static let connectTimeout = TimeAmount.seconds(10)

    func writeReliable(_ outgoing: SIPOutgoingMessage) {
        let key = ConnectionKey(transport: outgoing.transport, address: outgoing.destination)
        if let connection = connections[key] {
            connection.writeAndFlush(connection.allocator.buffer(bytes: outgoing.bytes), promise: nil)
            return
        }
        guard outgoing.message.method != nil else {
            // A response whose connection is gone: the caller's transaction retries on a new one of its own.
            logger.debug("SIP: no \(key) connection any more; response dropped")
            return
        }
        if var waiting = pending[key] {
            guard waiting.count < Self.maximumPendingMessages else {
                fail([outgoing], reason: "too many requests waiting for the \(key) connection")
                return
            }
            waiting.append(outgoing)
            pending[key] = waiting
            return
        }
        guard connectionCount < maximumConnections else {
            fail([outgoing], reason: "too many SIP connections")
            return
        }
        pending[key] = [outgoing]
        connect(key)
    }

    private func connect(_ key: ConnectionKey) {
        guard key.transport == .tcp || key.transport == .tls, let address = try? SocketAddress(key.address) else {
            connectionFailed(key, reason: "SIP over \(key.transport) is not supported")
            return
        }
        let core = NIOLoopBound(self, eventLoop: eventLoop)
        let contexts = tlsContexts
        let peer = key.transport == .tls ? tlsPeers[key.address] ?? TLSPeer(host: key.address.ipString, verification: .full) : nil
        logger.debug("SIP: connecting to \(key)")
        ClientBootstrap(group: eventLoop)
            .connectTimeout(Self.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let peer {
                        try channel.pipeline.syncOperations.addHandler(contexts.clientHandler(host: peer.host, verification: peer.verification))
                    }
                    try channel.pipeline.syncOperations.addHandler(SIPStreamHandler(core: core, transport: key.transport))
                }
            }
            .connect(to: address)
            .whenFailure { error in core.value.connectionFailed(key, reason: "cannot connect: \(error)") }
    }

    /// A connection can carry messages (TCP: connected; TLS: handshake done): what waited for it goes now.
    func connectionReady(_ key: ConnectionKey, channel: any Channel) {
        connections[key] = channel
        for outgoing in pending.removeValue(forKey: key) ?? [] {
            channel.write(channel.allocator.buffer(bytes: outgoing.bytes), promise: nil)
        }
        channel.flush()
    }

    func connectionClosed(_ key: ConnectionKey, channel: any Channel) {
        if connections[key] === channel { connections[key] = nil }
        if pending[key] != nil { connectionFailed(key, reason: "closed before it was ready (TLS handshake failed?)") }
    }

    /// Every request that waited for `key` fails its transaction at once (RFC 3261 section 17.1.4).
    func connectionFailed(_ key: ConnectionKey, reason: String) {
        guard let waiting = pending.removeValue(forKey: key) else { return }
        fail(waiting, reason: "\(key): \(reason)")
    }

    private func fail(_ messages: [SIPOutgoingMessage], reason: String) {
        logger.warning("SIP: \(reason)")
        let now = Self.now()
        for outgoing in messages {
            guard let transaction = SIPTransactionID(clientRequest: outgoing.message) else { continue }
            if transaction.method == .register {
                registrationLayer.handleTransportError(for: transaction)
            } else {
                agent?.handleTransportError(for: transaction, now: now)
            }
        }
        drainRegistrations(now: now)
        drainAgent(now: now)
        reschedule(now: now)
    }
}
