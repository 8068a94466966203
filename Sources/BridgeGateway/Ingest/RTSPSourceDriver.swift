import BridgeCore
import BridgeRTP
import BridgeRTSP
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The loop-bound half of `RTSPSource`: owns the client core, the connection, the UDP sockets and the
/// depacketizers. Every method runs on `eventLoop`.
final class RTSPSourceDriver {
    let options: RTSPSource.Options
    let eventLoop: any EventLoop
    private let sink: any MediaSourceSink
    private var client: RTSPClient?
    private var mode: RTSPClient.TransportMode
    private var connection: (any Channel)?
    /// Bumped per connection so callbacks from an old one (after a redirect or fallback) are ignored.
    private var generation = 0
    private var udp: RTSPUDPReceiver?
    private var depacketizers: [any RTPDepacketizer] = []
    /// Video tracks drop frames until their first keyframe: nothing before it can be decoded.
    private var awaitingKeyframe: [Bool] = []
    /// UDP only: packets back in sequence order before the depacketizers (TCP does not reorder).
    private var reorderBuffers: [RTPReorderBuffer] = []
    private var described = false
    private var tracks: [MediaTrackInfo] = []
    /// The latest RTCP sender report per track: maps its RTP timestamps to the camera's wall clock.
    private var senderReports: [RTSPSenderReportMapping?] = []
    private var ended = false
    /// UDP datagrams from addresses other than the camera's, dropped.
    private var foreignDatagrams = 0
    private var timer: Scheduled<Void>?
    private var timerDeadline: MonotonicInstant?
    private var playingSince: MonotonicInstant?
    private var lastMediaAt: MonotonicInstant?

    init(options: RTSPSource.Options, eventLoop: any EventLoop, sink: any MediaSourceSink) {
        self.options = options
        self.eventLoop = eventLoop
        self.sink = sink
        mode = options.transport == .tcp ? .tcp : .udp
    }

    static func now() -> MonotonicInstant { MonotonicInstant(nanoseconds: NIODeadline.now().uptimeNanoseconds) }

    func start() {
        var configuration = RTSPClient.Configuration(url: options.url, transport: mode)
        configuration.responseTimeout = options.responseTimeout
        configuration.fallBackToTCP = options.transport == .auto
        do {
            client = try RTSPClient(configuration: configuration)
        } catch {
            return end(MediaSourceError("invalid camera URL: \(error)", isTransient: false))
        }
        playingSince = nil
        lastMediaAt = nil
        client?.start()
        drive()
    }

    func stop() {
        guard !ended else { return }
        client?.stop(now: Self.now())
        drive()
        end(nil)
    }

    var statistics: RTSPSourceStatistics {
        var statistics = RTSPSourceStatistics()
        statistics.isPlaying = client?.isPlaying ?? false
        statistics.transport = client == nil ? nil : (mode == .tcp ? .tcp : .udp)
        statistics.tracks = tracks
        statistics.counters = depacketizers.map(\.counters)
        statistics.videoHasBFrames = depacketizers.contains { ($0 as? H264Depacketizer)?.sawBSlices == true }
        statistics.senderReports = senderReports
        statistics.foreignDatagrams = foreignDatagrams
        return statistics
    }

    // MARK: The core's outputs

    /// Drains the client's outputs, writes what it sends as one batch, and sets the one timer.
    private func drive() {
        var wrote = false
        while !ended, let output = client?.pollOutput() {
            switch output {
            case .send(let bytes):
                guard let connection else { continue }
                connection.write(ByteBuffer(bytes: bytes), promise: nil)
                wrote = true
            case .connect(let host, let port, let secure):
                options.logger?.debug("RTSP connecting", metadata: [
                    "camera": "\(host):\(port)", "tls": "\(secure)", "transport": "\(mode == .tcp ? "tcp" : "udp")"])
                connect(host: host, port: port, secure: secure)
            case .tracks(let tracks):
                depacketizers = tracks.map { $0.makeDepacketizer() }
                awaitingKeyframe = tracks.map(\.info.codec.isVideo)
                reorderBuffers = tracks.map { _ in RTPReorderBuffer(depth: 16) }
                self.tracks = tracks.map(\.info)
                senderReports = Array(repeating: nil, count: tracks.count)
                if !described {
                    described = true
                    sink.source(didDescribe: tracks.map(\.info))
                }
            case .switchedToTCP:
                options.logger?.info("RTSP camera refused UDP; going on over TCP",
                                     metadata: ["url": "\(URLRedaction.redactingPassword(in: options.url.revealed))"])
                mode = .tcp
                udp?.close()
                udp = nil
            case .needClientPorts(let count):
                bindUDP(count: count)
            case .playing:
                playingSince = Self.now()
                options.logger?.info("RTSP playing", metadata: [
                    "url": "\(URLRedaction.redactingPassword(in: options.url.revealed))",
                    "transport": "\(mode == .tcp ? "tcp" : "udp")",
                    "tracks": "\(tracks.map(Self.describe).joined(separator: ", "))"])
            case .rtp(let track, let payload):
                media(track: track, payload)
            case .rtcp(let track, let payload):
                rtcp(track: track, payload)
            case .failed(let failure):
                if mode == .udp, options.transport == .auto, failure.reason.hasPrefix("461") {
                    fallBackToTCP()
                    return
                }
                end(MediaSourceError(failure.reason, isTransient: failure.isTransient))
            }
        }
        if wrote { connection?.flush() }
        scheduleTimer()
    }

    private func media(track: Int, _ bytes: [UInt8]) {
        guard track < depacketizers.count, let packet = try? RTPPacket(parsing: bytes) else { return }
        lastMediaAt = Self.now()
        for frame in depacketizers[track].handle(packet, in: bytes) {
            if awaitingKeyframe[track] {
                guard frame.isKeyframe else { continue }
                awaitingKeyframe[track] = false
            }
            sink.source(didProduce: frame, track: track)
        }
    }

    private func reordered(track: Int, _ bytes: [UInt8]) {
        guard track < reorderBuffers.count, let packet = try? RTPPacket(parsing: bytes) else { return }
        for ordered in reorderBuffers[track].insert(bytes, sequenceNumber: packet.header.sequenceNumber) {
            media(track: track, ordered)
        }
    }

    private func rtcp(track: Int, _ bytes: [UInt8]) {
        guard track < senderReports.count, let packets = try? RTCPCompound(parsing: bytes).packets(in: bytes) else { return }
        for case .senderReport(let report) in packets {
            senderReports[track] = RTSPSenderReportMapping(ntpTimestamp: report.ntpTimestamp, rtpTimestamp: report.rtpTimestamp)
        }
    }

    /// One timer for the client's deadline and the media watchdog. A timer already due earlier is kept: it
    /// re-reads the state when it fires, so a busy stream does not reschedule on every read.
    private func scheduleTimer() {
        guard !ended else { return }
        var deadline = client?.nextTimeout()
        if let playingSince {
            let watch = (lastMediaAt ?? playingSince)
                + (lastMediaAt == nil && mode == .udp && options.transport == .auto ? options.udpFallbackAfter : options.mediaTimeout)
            deadline = deadline.map { min($0, watch) } ?? watch
        }
        if timer != nil, let timerDeadline, let deadline, timerDeadline <= deadline { return }
        timer?.cancel()
        timer = nil
        timerDeadline = deadline
        guard let deadline else { return }
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        timer = eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(deadline.nanoseconds)) {
            // One timer for the driver's whole life: it reads the current state, whatever connection is open.
            let driver = loopBound.value
            guard !driver.ended else { return }
            driver.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        let now = Self.now()
        if let playingSince {
            let last = lastMediaAt ?? playingSince
            if lastMediaAt == nil, mode == .udp, options.transport == .auto, now >= playingSince + options.udpFallbackAfter {
                return fallBackToTCP()
            }
            if now >= last + options.mediaTimeout {
                let seconds = options.mediaTimeout.components.seconds
                return end(MediaSourceError("no media from camera for \(seconds) s"))
            }
        }
        client?.handleTimeout(now: now)
        drive()
    }

    // MARK: Connections

    private func connect(host: String, port: Int, secure: Bool) {
        closeConnection()
        generation += 1
        let generation = generation
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let timeout = TimeAmount.nanoseconds(Int64(options.connectTimeout.components.seconds) * 1_000_000_000)
        // The camera's certificate is checked as the route says: the system's roots and the host name by
        // default, its pin only (`tls_fingerprint`), or not at all (`tls_verify: false`).
        var tls: TLSClientContexts?
        if secure {
            guard case .success(let contexts) = TLSClientContexts.shared else {
                return connectionFailed("cannot set up TLS", generation: generation)
            }
            tls = contexts
        }
        let verification = options.tlsVerification
        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(tls.handler(host: host, verification: verification)) }
                    try channel.pipeline.syncOperations.addHandler(RTSPConnectionHandler(
                        onBytes: { buffer in loopBound.value.received(buffer, generation: generation) },
                        onClose: { loopBound.value.connectionClosed(generation: generation) }))
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                let driver = loopBound.value
                switch result {
                case .success(let channel):
                    guard driver.generation == generation, !driver.ended else {
                        channel.close(promise: nil)
                        return
                    }
                    driver.connection = channel
                    driver.client?.handleConnected(now: Self.now())
                    driver.drive()
                case .failure(let error):
                    driver.connectionFailed(RTSPConnectError.describe(error, host: host, port: port), generation: generation)
                }
            }
    }

    private func connectionFailed(_ reason: String, generation: Int) {
        guard generation == self.generation, !ended else { return }
        client?.handleConnectionFailed(reason)
        drive()
    }

    private func received(_ buffer: ByteBuffer, generation: Int) {
        guard generation == self.generation, !ended else { return }
        client?.handleBytes(buffer.readableBytesView, now: Self.now())
        drive()
    }

    private func connectionClosed(generation: Int) {
        connectionFailed("the camera closed the connection", generation: generation)
    }

    private func closeConnection() {
        connection?.close(promise: nil)
        connection = nil
    }

    // MARK: UDP

    private func bindUDP(count: Int) {
        let generation = generation
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        RTSPUDPReceiver.bind(pairs: count, host: options.udpBindHost, ports: options.udpPorts ?? 20_000...59_999, eventLoop: eventLoop) { track, isRTCP, sender, bytes in
            let driver = loopBound.value
            guard driver.generation == generation, !driver.ended else { return }
            // Only the camera's address: anyone else could aim packets at the ports.
            guard sender == driver.connection?.remoteAddress?.ipAddress else {
                driver.foreignDatagrams += 1
                return
            }
            if isRTCP { return driver.rtcp(track: track, bytes) }
            driver.reordered(track: track, bytes)
            driver.scheduleTimerIfIdle()
        }.whenComplete { result in
            let driver = loopBound.value
            guard driver.generation == generation, !driver.ended else {
                if case .success(let receiver) = result { receiver.close() }
                return
            }
            switch result {
            case .success(let receiver):
                driver.udp = receiver
                driver.client?.provideClientPorts(receiver.ports, now: Self.now())
            case .failure(let error):
                driver.client?.handleConnectionFailed("cannot bind UDP ports: \(error)")
            }
            driver.drive()
        }
    }

    /// UDP media does not pass through `drive`; the watchdog only needs re-arming after the first packet.
    private func scheduleTimerIfIdle() {
        if lastMediaAt != nil, timer == nil { scheduleTimer() }
    }

    static func describe(_ track: MediaTrackInfo) -> String {
        if track.codec.isVideo, let width = track.width, let height = track.height {
            return "\(track.codec.rawValue) \(width)x\(height)"
        }
        return track.codec.isVideo ? track.codec.rawValue : "\(track.codec.rawValue)/\(track.clockRate)/\(track.channels)"
    }

    private func fallBackToTCP() {
        options.logger?.info("RTSP over UDP failed; switching to TCP",
                             metadata: ["url": "\(URLRedaction.redactingPassword(in: options.url.revealed))"])
        client?.stop(now: Self.now())
        drive()
        closeConnection()
        udp?.close()
        udp = nil
        mode = .tcp
        generation += 1
        start()
    }

    // MARK: The end

    private func end(_ error: MediaSourceError?) {
        guard !ended else { return }
        ended = true
        timer?.cancel()
        timer = nil
        connection?.flush()
        closeConnection()
        udp?.close()
        udp = nil
        if let error {
            options.logger?.debug("RTSP source ended", metadata: ["reason": "\(error.description)"])
        }
        sink.source(didEndWith: error)
    }
}
