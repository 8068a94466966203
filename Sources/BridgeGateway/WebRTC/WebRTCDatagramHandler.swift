import BridgeCore
import BridgeSTUN
import BridgeWebRTC
import CoreMetrics
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The NIO edge of one shard of the WebRTC port: its UDP socket (one of several on the same port, with
/// SO_REUSEPORT), the sessions it owns, one event loop.
///
/// A datagram finds its session by the remote address once known, else by the ufrag in the USERNAME of a
/// STUN check (the part before the colon is the gateway's own ufrag, RFC 8445 section 7.2.2). The kernel
/// spreads browsers over the shards' sockets by their addresses, not by who owns them: a datagram for
/// another shard's session is handed to that shard, in one batch per read burst. The handler reads the
/// clock once per datagram, feeds the session, drains its output and flushes once per read burst.
final class WebRTCDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    struct Entry {
        let session: WebRTCSession
        let onEvent: (WebRTCSession.Event) -> Void
        var timer: Scheduled<Void>?
        /// When `timer` fires: a deadline that did not move keeps its timer.
        var timerDeadline: MonotonicInstant?
    }

    private var sessionsByUfrag: [String: Entry] = [:]
    private var ufragByAddress: [TransportAddress: String] = [:]
    private var context: ChannelHandlerContext?
    /// ICE-TCP connections by the browser's address; output to those addresses goes on them, framed.
    private var tcpConnections: [TransportAddress: any Channel] = [:]
    private var pendingTCPFlush: [any Channel] = []
    static let maximumTCPConnections = 4096
    private(set) var unmatched = 0
    /// This shard's place among the port's shards, and who owns what.
    let shardIndex: Int
    let directory: SessionDirectory
    /// Every shard's handler, this one included, by shard index (set once all are bound).
    var peers: [NIOLoopBound<WebRTCDatagramHandler>] = []
    /// Datagrams read here for other shards' sessions, by shard, until the read burst ends.
    private var handOffs: [[HandedOffDatagram]] = []
    private(set) var handedOff = 0
    /// `mediabridge_webrtc_handed_off_total{loop}`: datagrams this shard read for another's sessions.
    private let handedOffCounter: CoreMetrics.Counter?
    /// Whether a session's consecutive equal-size datagrams leave as one GSO write (`webrtc.gso`, and the
    /// kernel supports it); off for good after the first GSO write the kernel refuses.
    private(set) var segmentationOffload: Bool
    private var burst = GSOBurst()
    /// The open run's datagrams, back to back: each datagram is copied once, into the buffer that is written.
    private var burstBuffer: ByteBuffer?
    /// The runs of one media batch (start, length, GSO segment size), kept to reuse its storage.
    private var mediaRuns: [(start: Int, length: Int, segmentSize: Int?)] = []

    init(segmentationOffload: Bool = System.supportsUDPSegmentationOffload, shardIndex: Int = 0,
         directory: SessionDirectory = SessionDirectory(shardCount: 1), handedOffCounter: CoreMetrics.Counter? = nil) {
        self.segmentationOffload = segmentationOffload && System.supportsUDPSegmentationOffload
        self.shardIndex = shardIndex
        self.directory = directory
        self.handedOffCounter = handedOffCounter
        handOffs = Array(repeating: [], count: directory.shardCount)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        for entry in sessionsByUfrag.values { entry.timer?.cancel() }
        sessionsByUfrag.removeAll()
        self.context = nil
    }

    /// Adds a session, keyed by the gateway's ufrag for it. Must run on the channel's event loop.
    func register(_ session: WebRTCSession, ufrag: String, onEvent: @escaping (WebRTCSession.Event) -> Void) {
        sessionsByUfrag[ufrag] = Entry(session: session, onEvent: onEvent, timer: nil)
        reschedule(ufrag)
    }

    func remove(ufrag: String) {
        sessionsByUfrag.removeValue(forKey: ufrag)?.timer?.cancel()
        let addresses = ufragByAddress.filter { $0.value == ufrag }.keys
        for address in addresses { ufragByAddress.removeValue(forKey: address) }
        directory.forget(addresses, owner: shardIndex)
    }

    var sessionCount: Int { sessionsByUfrag.count }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let source = TransportAddress(envelope.remoteAddress) else { unmatched += 1; return }
        handle(Array(envelope.data.readableBytesView), from: source, connection: nil, mayHandOff: true)
    }

    /// A packet from an ICE-TCP connection (RFC 6544): the same sessions, answered on that connection.
    func handleStreamPacket(_ bytes: [UInt8], from source: TransportAddress, connection: any Channel) {
        handle(bytes, from: source, connection: connection, mayHandOff: true)
        handOffPending()
    }

    /// An ICE-TCP connection ended: every shard forgets it (its session may live on any of them).
    func streamClosed(from source: TransportAddress) {
        for (index, peer) in peers.enumerated() where index != shardIndex {
            peer.eventLoop.execute { peer.value.forgetStream(from: source) }
        }
        forgetStream(from: source)
    }

    func forgetStream(from source: TransportAddress) {
        tcpConnections.removeValue(forKey: source)
    }

    /// Datagrams another shard read for sessions of this one.
    func handleHandedOff(_ batch: [HandedOffDatagram]) {
        for datagram in batch {
            handle(datagram.bytes, from: datagram.source, connection: datagram.connection, mayHandOff: false)
        }
        context?.flush()
    }

    private func handle(_ bytes: [UInt8], from source: TransportAddress, connection: (any Channel)?, mayHandOff: Bool) {
        let ufrag: String
        if let known = ufragByAddress[source] {
            ufrag = known
        } else if let checked = stunUfrag(bytes) {
            let owner = directory.owner(ofUfrag: checked)
            guard owner == shardIndex || !mayHandOff else { return handOff(bytes, from: source, connection: connection, to: owner) }
            ufrag = checked
        } else if mayHandOff, let owner = directory.owner(of: source), owner != shardIndex {
            return handOff(bytes, from: source, connection: connection, to: owner)
        } else {
            unmatched += 1
            return
        }
        guard let entry = sessionsByUfrag[ufrag] else {
            unmatched += 1
            return
        }
        if let connection, tcpConnections[source] == nil {
            guard tcpConnections.count < Self.maximumTCPConnections else { unmatched += 1; return }
            tcpConnections[source] = connection
        }
        entry.session.handleDatagram(bytes, from: source, now: Self.now())
        drain(ufrag)
        // Learn only the address ICE selected (it passed a check with the session's password), so that a
        // flood of forged checks cannot grow the table; later DTLS and SRTP find the session directly.
        if let selected = entry.session.selectedAddress, ufragByAddress[selected] == nil {
            ufragByAddress[selected] = ufrag
            directory.record(selected, owner: shardIndex)
        }
    }

    private func handOff(_ bytes: [UInt8], from source: TransportAddress, connection: (any Channel)?, to owner: Int) {
        guard handOffs.indices.contains(owner), peers.indices.contains(owner) else { unmatched += 1; return }
        handOffs[owner].append(HandedOffDatagram(bytes: bytes, source: source, connection: connection))
        handedOff += 1
    }

    /// One hop per shard that has datagrams waiting, not one per datagram.
    private func handOffPending() {
        for owner in handOffs.indices where !handOffs[owner].isEmpty {
            let batch = handOffs[owner]
            // The batch leaves with its storage: emptying in place would copy it first.
            handOffs[owner] = []
            handedOffCounter?.increment(by: batch.count)
            let peer = peers[owner]
            peer.eventLoop.execute { peer.value.handleHandedOff(batch) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        handOffPending()
        context.flush()
    }

    /// Sends RTP from outside the read path (sources, echo), then flushes.
    func send(rtp packet: [UInt8], ufrag: String) {
        send(rtp: [packet], rtcp: [], ufrag: ufrag)
    }

    /// Protects and writes a batch of RTP and RTCP packets for one session, with one flush. While the
    /// socket's send buffer is full, media is dropped and counted rather than queued without bound: one
    /// viewer behind a slow link must not grow the memory every other viewer shares.
    /// Returns how many packets were dropped (socket busy, or no such session).
    @discardableResult
    func send(rtp packets: consuming [[UInt8]], rtcp: [[UInt8]], ufrag: String) -> SendOutcome {
        guard let entry = sessionsByUfrag[ufrag] else { return .noSession }
        guard context?.channel.isWritable ?? false else {
            return .socketBusy(dropped: packets.count + rtcp.count)
        }
        // Each packet leaves the batch before it is sent, so the session holds its only reference.
        var pending = consume packets
        for index in pending.indices {
            let packet = pending[index]
            pending[index] = []
            entry.session.send(rtp: packet)
        }
        for packet in rtcp { entry.session.send(rtcp: packet) }
        // Sending moves none of the session's deadlines (consent, DTLS retransmission): its timer stays.
        drain(ufrag, rescheduling: false)
        context?.flush()
        return .sent
    }

    /// Sends a viewer's packets for one frame (or its NACK answers): each is written straight into a socket
    /// buffer and protected there in place; runs of equal-size packets leave as GSO writes (slices of that
    /// buffer), the others as one datagram each. One allocation per batch (per 64 KB of it), none per packet. Before DTLS completes, and over ICE-TCP, the packets take the session's queue instead.
    func send(media packets: [OutgoingRTP], ufrag: String) -> SendOutcome {
        guard let entry = sessionsByUfrag[ufrag] else { return .noSession }
        guard let context, context.channel.isWritable else { return .socketBusy(dropped: packets.count) }
        guard let (destination, overhead) = entry.session.mediaPath, tcpConnections[destination] == nil else {
            return send(rtp: packets.map { $0.bytes() }, rtcp: [], ufrag: ufrag)
        }
        // Buffers of at most one GSO write each: a GOP burst of a megabyte goes out in pieces, not in one block.
        var remaining = packets.reduce(0) { $0 + $1.byteCount + overhead }
        var buffer = context.channel.allocator.buffer(capacity: min(remaining, GSOBurst.maximumBytes))
        mediaRuns.removeAll(keepingCapacity: true)
        var runStart = 0
        for packet in packets {
            let plain = packet.byteCount
            let size = plain + overhead
            if buffer.writerIndex > 0, buffer.writerIndex + size > GSOBurst.maximumBytes {
                closeRun(from: &runStart, in: buffer)
                writeRuns(of: buffer, to: destination, context: context)
                buffer = context.channel.allocator.buffer(capacity: min(remaining, GSOBurst.maximumBytes))
                runStart = 0
            }
            remaining -= size
            if segmentationOffload, case .started(let closed?) = burst.add(size: size, to: destination) {
                mediaRuns.append((runStart, buffer.writerIndex - runStart, closed.count > 1 ? closed.segmentSize : nil))
                runStart = buffer.writerIndex
            }
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
                guard packet.write(into: raw) == plain else { return 0 }
                return entry.session.protectRTP(in: raw, length: plain) ?? 0
            }
            if !segmentationOffload {
                mediaRuns.append((runStart, buffer.writerIndex - runStart, nil))
                runStart = buffer.writerIndex
            }
        }
        closeRun(from: &runStart, in: buffer)
        writeRuns(of: buffer, to: destination, context: context)
        context.flush()
        return .sent
    }

    /// Ends the open GSO run (if any) at the end of what `buffer` holds.
    private func closeRun(from runStart: inout Int, in buffer: ByteBuffer) {
        guard let run = burst.finish() else { return }
        mediaRuns.append((runStart, buffer.writerIndex - runStart, run.count > 1 ? run.segmentSize : nil))
        runStart = buffer.writerIndex
    }

    /// Writes the runs of one media buffer as slices of it. Slices only once every packet of the buffer is
    /// in: a slice taken earlier would make the next write into the buffer copy it.
    private func writeRuns(of buffer: ByteBuffer, to destination: TransportAddress, context: ChannelHandlerContext) {
        for (start, length, segmentSize) in mediaRuns where length > 0 {
            guard let slice = buffer.getSlice(at: start, length: length) else { continue }
            write(slice, to: destination, segmentSize: segmentSize, context: context)
        }
        mediaRuns.removeAll(keepingCapacity: true)
    }

    enum SendOutcome {
        case sent
        case noSession
        case socketBusy(dropped: Int)
    }

    /// Ends a session (WHEP DELETE, a kicked viewer): close_notify goes out, then the `closed` event.
    func close(ufrag: String, reason: String) {
        guard let entry = sessionsByUfrag[ufrag] else { return }
        entry.session.close(reason: reason)
        drain(ufrag)
        context?.flush()
    }

    private func stunUfrag(_ bytes: [UInt8]) -> String? {
        guard PacketDemux.classify(bytes) == .stun, let message = try? STUNMessage(parsing: bytes),
              let username = message.username, let colon = username.firstIndex(of: ":") else { return nil }
        return String(username[..<colon])
    }

    /// Sends what the session queued and hands its events on; `rescheduling` re-arms its timer, which
    /// only input and timeouts can move (re-arming per sent packet cost a timer and a syscall each).
    private func drain(_ ufrag: String, rescheduling: Bool = true) {
        guard let entry = sessionsByUfrag[ufrag], let context else { return }
        while let output = entry.session.pollOutput() {
            switch output {
            case .datagram(let bytes, let destination):
                if let connection = tcpConnections[destination] {
                    if let framed = RFC4571Framer.frame(bytes) {
                        connection.write(connection.allocator.buffer(bytes: framed), promise: nil)
                        pendingTCPFlush.append(connection)
                    }
                    continue
                }
                guard segmentationOffload else {
                    write(context.channel.allocator.buffer(bytes: bytes), to: destination, segmentSize: nil, context: context)
                    continue
                }
                switch burst.add(size: bytes.count, to: destination) {
                case .joined:
                    burstBuffer?.writeBytes(bytes)
                case .started(let closed):
                    if let closed { write(closed, context: context) }
                    var buffer = context.channel.allocator.buffer(capacity: min(bytes.count * 16, GSOBurst.maximumBytes))
                    buffer.writeBytes(bytes)
                    burstBuffer = buffer
                }
            case .event(let event):
                entry.onEvent(event)
            }
        }
        if let run = burst.finish() { write(run, context: context) }
        for connection in pendingTCPFlush { connection.flush() }
        pendingTCPFlush.removeAll(keepingCapacity: true)
        if entry.session.isClosed {
            remove(ufrag: ufrag)
        } else if rescheduling {
            reschedule(ufrag)
        }
    }

    /// Errors that say the kernel or device cannot segment, unlike a peer's port being closed.
    static func isSegmentationRefusal(_ error: any Error) -> Bool {
        if let error = error as? IOError { return [EIO, EINVAL, EOPNOTSUPP, EMSGSIZE].contains(error.errnoCode) }
        if let error = error as? ChannelError { return error == .operationUnsupported }
        return false
    }

    /// Writes the closed run's buffer: one GSO write for several datagrams, a plain one for one.
    private func write(_ run: GSOBurst.Run, context: ChannelHandlerContext) {
        guard let buffer = burstBuffer else { return }
        burstBuffer = nil
        write(buffer, to: run.destination, segmentSize: run.count > 1 ? run.segmentSize : nil, context: context)
    }

    private func write(_ buffer: ByteBuffer, to destination: TransportAddress, segmentSize: Int?, context: ChannelHandlerContext) {
        guard let address = try? SocketAddress(destination) else { return }
        guard let segmentSize else {
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: address, data: buffer)), promise: nil)
            return
        }
        let metadata = AddressedEnvelope<ByteBuffer>.Metadata(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: segmentSize)
        let promise = context.eventLoop.makePromise(of: Void.self)
        // A kernel or device that refuses GSO (EIO, EINVAL) turns it off; that burst is lost, NACK recovers it.
        promise.futureResult.assumeIsolated().whenFailure { [weak self] error in
            if Self.isSegmentationRefusal(error) { self?.segmentationOffload = false }
        }
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: address, data: buffer, metadata: metadata)), promise: promise)
    }

    private func reschedule(_ ufrag: String) {
        guard var entry = sessionsByUfrag[ufrag], let context else { return }
        let now = Self.now()
        let next = entry.session.nextTimeout(now: now)
        // Media in (SRTP, 50 a second per call) moves no deadline: re-arming a timer each time cost a
        // cancel, a new task and a timerfd syscall per packet.
        if entry.timer != nil, let next, next == entry.timerDeadline { return }
        entry.timer?.cancel()
        entry.timerDeadline = next
        if let deadline = next {
            let eventLoop = context.eventLoop
            let delay = TimeAmount.nanoseconds(Int64(clamping: deadline.nanoseconds > now.nanoseconds ? deadline.nanoseconds - now.nanoseconds : 0))
            entry.timer = eventLoop.assumeIsolated().scheduleTask(in: delay) { [weak self] in
                guard let self, var current = self.sessionsByUfrag[ufrag] else { return }
                // This timer has fired: the next drain arms a new one even if the deadline did not move.
                current.timer = nil
                self.sessionsByUfrag[ufrag] = current
                current.session.handleTimeout(now: Self.now())
                self.drain(ufrag)
                self.context?.flush()
            }
        } else {
            entry.timer = nil
        }
        sessionsByUfrag[ufrag] = entry
    }

    static func now() -> MonotonicInstant {
        MonotonicInstant(nanoseconds: NIODeadline.now().uptimeNanoseconds)
    }
}

/// A datagram (or an ICE-TCP frame, with its connection) read by one shard for another's session.
struct HandedOffDatagram: Sendable {
    let bytes: [UInt8]
    let source: TransportAddress
    let connection: (any Channel)?
}

extension TransportAddress {
    init?(_ address: SocketAddress) {
        guard let port = address.port, let ip = address.ipAddress, let value = TransportAddress(ip, port: UInt16(port)) else { return nil }
        self = value
    }
}

extension SocketAddress {
    init(_ address: TransportAddress) throws {
        self = try SocketAddress(ipAddress: address.ipString, port: Int(address.port))
    }
}
