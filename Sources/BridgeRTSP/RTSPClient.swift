import BridgeCore
import BridgeRTP

/// An RTSP client (RFC 2326) as a sans-IO state machine: OPTIONS, DESCRIBE, SETUP per track, PLAY, then
/// keep-alives at half the session timeout, and TEARDOWN on stop. It answers 401 once per request with the
/// URL's credentials (Basic or Digest), follows up to three redirects, and splits the interleaved media
/// (`$` frames) from the responses.
///
/// The driver connects where `.connect` says, calls `handleConnected`, feeds every read to `handleBytes`,
/// calls `handleTimeout` at `nextTimeout()`, and drains `pollOutput()` after each call. No sockets, no clock.
public struct RTSPClient: Sendable {
    public enum TransportMode: Sendable, Hashable {
        /// RTP and RTCP interleaved on the RTSP connection: channels 0-1 for the first track, 2-3 for the next.
        case tcp
        /// RTP and RTCP on UDP port pairs the driver binds; it answers `.needClientPorts` with `provideClientPorts`.
        case udp
    }

    public struct Configuration: Sendable {
        public var url: Redacted
        public var transport: TransportMode
        public var userAgent = "MediaBridge"
        public var responseTimeout: Duration = .seconds(10)
        /// The session timeout when SETUP's answer does not say (RFC 2326 section 12.37: 60 s).
        public var defaultSessionTimeout: Duration = .seconds(60)
        public var maximumRedirects = 3
        /// A fixed Digest client nonce, for tests; random when nil.
        public var cnonce: String?
        /// UDP: when the camera answers the first SETUP with 461 Unsupported Transport, set up interleaved
        /// over TCP on the same connection instead of failing (`.switchedToTCP` tells the driver).
        public var fallBackToTCP = false

        public init(url: Redacted, transport: TransportMode) {
            self.url = url
            self.transport = transport
        }
    }

    public enum Output: Sendable, Equatable {
        /// Bytes to write on the RTSP connection.
        case send([UInt8])
        /// Open a connection (the first one, and again after a redirect: close the old one first).
        case connect(host: String, port: Int, secure: Bool)
        /// The tracks from DESCRIBE, in the order their media will be numbered.
        case tracks([RTSPTrack])
        /// UDP: bind this many RTP/RTCP port pairs and call `provideClientPorts`.
        case needClientPorts(count: Int)
        /// The camera refused UDP; the session goes on interleaved on the RTSP connection (drop the UDP ports).
        case switchedToTCP
        /// PLAY succeeded; the transports the camera granted, per track.
        case playing([RTSPTransportHeader])
        case rtp(track: Int, payload: [UInt8])
        case rtcp(track: Int, payload: [UInt8])
        /// The session is over; nothing follows. Close the connection.
        case failed(RTSPFailure)
    }

    enum State: Sendable, Equatable {
        case idle, connecting, options, describe, awaitingPorts, setup(track: Int), play, playing, stopped, failed
    }

    struct Pending: Sendable {
        var method: String
        var uri: String
        var cseq: Int
        var retriedAuthentication: Bool
        var deadline: MonotonicInstant
    }

    public let configuration: Configuration
    public internal(set) var url: RTSPURL
    public internal(set) var tracks: [RTSPTrack] = []
    public internal(set) var grantedTransports: [RTSPTransportHeader] = []
    /// Interleaved frames on channels no SETUP assigned, and bytes skipped to find the framing again.
    public internal(set) var unknownChannelFrames = 0
    public var skippedBytes: Int { decoder.skippedBytes }

    var state = State.idle
    /// The transport in use: the configured one, until a fallback to TCP.
    public internal(set) var transportMode: TransportMode
    var decoder = RTSPStreamDecoder()
    var outputs: [Output] = []
    var outputHead = 0
    var cseq = 0
    var pending: Pending?
    var authenticator: RTSPAuthenticator?
    var redirects = 0
    /// A redirect to another host or scheme left the credentials behind (named in the 401 failure).
    var credentialsWithheld = false
    var sessionID: String?
    var sessionTimeout: Duration
    var keepAliveAt: MonotonicInstant?
    var supportsGetParameter = false
    var aggregateURL = ""
    var clientPorts: [(rtp: Int, rtcp: Int)] = []
    var channels: [UInt8: (track: Int, isRTCP: Bool)] = [:]

    public init(configuration: Configuration) throws(RTSPError) {
        self.configuration = configuration
        url = try RTSPURL(parsing: configuration.url.revealed)
        sessionTimeout = configuration.defaultSessionTimeout
        transportMode = configuration.transport
        authenticator = Self.authenticator(for: url)
    }

    static func authenticator(for url: RTSPURL) -> RTSPAuthenticator? {
        guard let username = url.username, !username.isEmpty else { return nil }
        return RTSPAuthenticator(username: username, password: url.password ?? Redacted(""), overTLS: url.isSecure)
    }

    // MARK: Inputs

    /// Asks for the first connection.
    public mutating func start() {
        guard state == .idle else { return }
        state = .connecting
        emit(.connect(host: url.host, port: url.port, secure: url.isSecure))
    }

    /// The connection `.connect` asked for is open.
    public mutating func handleConnected(now: MonotonicInstant) {
        guard state == .connecting else { return }
        state = .options
        send("OPTIONS", uri: url.requestURL, now: now)
    }

    /// The connection could not be opened or closed: the session ends (unless it already had).
    public mutating func handleConnectionFailed(_ reason: String) {
        guard state != .stopped, state != .failed else { return }
        fail(RTSPFailure(reason))
    }

    public mutating func handleBytes(_ bytes: some Collection<UInt8>, now: MonotonicInstant) {
        guard state != .stopped, state != .failed, state != .idle else { return }
        decoder.append(bytes)
        while state != .failed, state != .stopped, state != .connecting {
            let message: RTSPMessage?
            do {
                message = try decoder.next()
            } catch {
                return fail(RTSPFailure("the camera sent malformed RTSP: \(error)"))
            }
            guard let message else { return }
            switch message {
            case .interleaved(let channel, let payload):
                guard let route = channels[channel] else {
                    unknownChannelFrames += 1
                    continue
                }
                emit(route.isRTCP ? .rtcp(track: route.track, payload: payload) : .rtp(track: route.track, payload: payload))
            case .response(let response):
                handle(response, now: now)
            case .request(let request):
                answer(request)
            }
        }
    }

    /// UDP: the RTP/RTCP port pairs bound for each track, in track order.
    public mutating func provideClientPorts(_ ports: [(rtp: Int, rtcp: Int)], now: MonotonicInstant) {
        guard state == .awaitingPorts else { return }
        guard ports.count == tracks.count else {
            return fail(RTSPFailure("\(ports.count) UDP port pairs for \(tracks.count) tracks"))
        }
        clientPorts = ports
        setUp(track: 0, now: now)
    }

    public mutating func handleTimeout(now: MonotonicInstant) {
        if let pending, now >= pending.deadline {
            if state == .playing {
                self.pending = nil  // a camera that ignores keep-alives: media decides whether it lives
            } else {
                let seconds = configuration.responseTimeout.components.seconds
                return fail(RTSPFailure("no answer to \(pending.method) within \(seconds) s"))
            }
        }
        if state == .playing, pending == nil, let keepAliveAt, now >= keepAliveAt {
            send(supportsGetParameter ? "GET_PARAMETER" : "OPTIONS", uri: aggregateURL, now: now)
            self.keepAliveAt = now + sessionTimeout / 2
        }
    }

    /// Ends the session: TEARDOWN when one was set up. Write what `pollOutput` gives, then close.
    public mutating func stop(now: MonotonicInstant) {
        guard state != .stopped, state != .failed else { return }
        if sessionID != nil, state != .connecting, state != .idle {
            send("TEARDOWN", uri: aggregateURL, now: now)
        }
        state = .stopped
        pending = nil
        keepAliveAt = nil
    }

    // MARK: Outputs

    public mutating func pollOutput() -> Output? {
        guard outputHead < outputs.count else {
            outputs.removeAll(keepingCapacity: true)
            outputHead = 0
            return nil
        }
        defer { outputHead += 1 }
        return outputs[outputHead]
    }

    public func nextTimeout() -> MonotonicInstant? {
        guard state != .stopped, state != .failed else { return nil }
        switch (pending?.deadline, state == .playing ? keepAliveAt : nil) {
        case let (request?, keepAlive?): return min(request, keepAlive)
        case let (request?, nil): return request
        case let (nil, keepAlive?): return keepAlive
        case (nil, nil): return nil
        }
    }

    public var isPlaying: Bool { state == .playing }

    mutating func emit(_ output: Output) {
        outputs.append(output)
    }

    mutating func fail(_ failure: RTSPFailure) {
        state = .failed
        pending = nil
        keepAliveAt = nil
        emit(.failed(failure))
    }

    // MARK: Requests

    mutating func send(_ method: String, uri: String, headers extra: [(String, String)] = [], now: MonotonicInstant,
                       retriedAuthentication: Bool = false) {
        cseq += 1
        var headers = RTSPHeaders([("CSeq", String(cseq)), ("User-Agent", configuration.userAgent)])
        for (name, value) in extra { headers.add(name, value) }
        if let sessionID, method != "OPTIONS" || state == .playing { headers.add("Session", sessionID) }
        if var authenticator, let value = authenticator.authorization(method: method, uri: uri, cnonce: makeCNonce()) {
            headers.add("Authorization", value)
            self.authenticator = authenticator
        }
        var bytes: [UInt8] = []
        do {
            try RTSPRequest(method: method, uri: uri, headers: headers).write(into: &bytes)
        } catch {
            return fail(RTSPFailure("cannot send \(method): \(error)", isTransient: false))
        }
        pending = Pending(method: method, uri: uri, cseq: cseq, retriedAuthentication: retriedAuthentication,
                          deadline: now + configuration.responseTimeout)
        emit(.send(bytes))
    }

    func makeCNonce() -> String {
        if let cnonce = configuration.cnonce { return cnonce }
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 16)
    }

    mutating func setUp(track index: Int, now: MonotonicInstant) {
        guard index < tracks.count else { return }
        state = .setup(track: index)
        let transport: RTSPTransportHeader
        switch transportMode {
        case .tcp:
            let channel = UInt8(truncatingIfNeeded: index * 2)
            transport = RTSPTransportHeader(isTCP: true, interleaved: (channel, channel &+ 1))
        case .udp:
            transport = RTSPTransportHeader(isTCP: false, clientPorts: clientPorts[index])
        }
        send("SETUP", uri: tracks[index].controlURL, headers: [("Transport", transport.headerValue)], now: now)
    }

    /// A request from the camera (some send GET_PARAMETER or OPTIONS as their own keep-alive): answered.
    mutating func answer(_ request: RTSPRequest) {
        let known = ["OPTIONS", "GET_PARAMETER", "SET_PARAMETER"].contains(request.method.uppercased())
        var headers = RTSPHeaders()
        if let cseq = request.headers["CSeq"], !RTSPRequest.isUnsafe(cseq) { headers.add("CSeq", cseq) }
        var bytes: [UInt8] = []
        RTSPResponse(statusCode: known ? 200 : 501, reasonPhrase: known ? "OK" : "Not Implemented", headers: headers)
            .write(into: &bytes)
        emit(.send(bytes))
    }
}
