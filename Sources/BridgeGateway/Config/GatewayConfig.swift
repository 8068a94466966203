import Foundation
import BridgeCore
import Logging

/// The whole gateway configuration, as read from the YAML file and validated.
/// Every key is documented in `config/mediabridge.reference.yaml`.
public struct GatewayConfig: Sendable {
    public var log = LogConfig()
    public var http = HTTPConfig()
    public var webrtc = WebRTCConfig()
    public var routes: [RouteConfig] = []
    public var sip = SIPConfig()
    /// Call routes (`calls:`): SIP phones and trunks reaching browsers on a call page.
    public var calls: [CallRouteConfig] = []

    public init() {}
}

public struct LogConfig: Sendable {
    public enum Level: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical

        public var loggerLevel: Logger.Level {
            switch self {
            case .trace: .trace
            case .debug: .debug
            case .info: .info
            case .notice: .notice
            case .warning: .warning
            case .error: .error
            case .critical: .critical
            }
        }
    }

    public var level: Level = .info
}

public struct HTTPConfig: Sendable {
    public struct TLS: Sendable {
        public var certificatePath: String
        public var privateKeyPath: String
    }

    public var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    public var tls: TLS?
    /// Bearer token for the admin API and `/metrics`; nil admits only clients on this machine.
    public var adminToken: Redacted?
    /// A second token that opens `/metrics` only (for a scraper).
    public var metricsToken: Redacted?
    /// Origins besides the gateway's own whose pages may open the call WebSocket (`https://example.org`).
    public var allowedOrigins: [String] = []
    /// Host names (without port) the gateway answers to besides IP literals, localhost, the listen host and
    /// `webrtc.hosts`, against DNS rebinding; `*` admits any Host.
    public var hosts: [String] = []
    /// Open HTTP connections (WebSockets included); more are closed as they arrive.
    public var maxConnections = 1024
    /// An HTTP connection without a request for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
}

public struct WebRTCConfig: Sendable {
    public struct ICEServer: Sendable {
        public var urls: [String]
        public var username: String?
        public var credential: Redacted?
    }

    /// The one UDP port every WebRTC session shares.
    public var udpPort = 8189
    /// ICE-TCP (RFC 6544) passive port; 0 turns ICE-TCP off.
    public var tcpPort = 8189
    /// Extra addresses or host names advertised as host candidates (public IP, Docker host, DNS name).
    public var hosts: [String] = []
    /// Whether the machine's own interface addresses are advertised too.
    public var includeInterfaceAddresses = true
    /// STUN/TURN servers handed to browsers (WHEP `Link` headers, call page).
    public var iceServers: [ICEServer] = []
    /// PEM certificate and key for DTLS; nil makes a fresh ECDSA P-256 certificate at every start.
    public var dtls: HTTPConfig.TLS?
    /// WHEP sessions in total; more get `503` with `Retry-After`.
    public var maxViewers = 1000
    /// WHEP sessions from one client IP address.
    public var maxViewersPerIP = 50
    /// Sessions admitted whose ICE and DTLS have not completed yet.
    public var maxHandshakes = 100
    /// When the media loop runs this late, new viewers are refused for a few seconds (existing ones stay).
    public var overloadLag: Duration = .milliseconds(250)
    /// ICE-TCP connections at once; more are closed as they arrive.
    public var tcpMaxConnections = 256
    /// An ICE-TCP connection that carries nothing for this long is closed.
    public var tcpIdleTimeout: Duration = .seconds(30)
    /// A viewer's equal-size packets of one frame leave as one UDP GSO write where the kernel can.
    public var gso = true
    /// Event loops carrying WebRTC sessions, each with its own socket on the WebRTC port; more than the
    /// gateway's event loops (one per core) are not used.
    public var threads = ProcessInfo.processInfo.activeProcessorCount

    var admissionLimits: ViewerAdmission.Limits {
        ViewerAdmission.Limits(total: maxViewers, perClient: maxViewersPerIP, handshakes: maxHandshakes, overloadLag: overloadLag)
    }
}

/// The SIP edge: one UDP and TCP listener for phones, trunks and registrars, and optionally a TLS listener.
public struct SIPConfig: Sendable {
    /// SIP over TLS (RFC 3261 section 26.2): its own listener (`sip.tls`).
    public struct TLS: Sendable {
        public var listen = ListenAddress(host: "127.0.0.1", port: 5061)
        /// PEM certificate and key; nil makes a fresh self-signed ECDSA P-256 certificate at every start.
        public var certificate: HTTPConfig.TLS?
    }

    public var enabled = false
    /// UDP and TCP on this address.
    public var listen = ListenAddress(host: "127.0.0.1", port: 5060)
    /// The host written in Contact, Via and SDP when the gateway is behind NAT; nil uses the listen address.
    public var publicAddress: String?
    /// Even start, inclusive end: the RTP (and RTCP, port + 1) ports call legs use.
    public var rtpPorts: ClosedRange<Int> = 20000...20099
    /// The User-Agent and Server header value.
    public var userAgent = "MediaBridge"
    /// nil: no TLS listener (TLS connections out, to `sips:` registrars and targets, still work).
    public var tls: TLS?
    /// SIP connections over TCP and TLS at once, accepted and opened.
    public var maxConnections = 1024
    /// An accepted SIP connection that carries no message for this long is closed (ones the gateway
    /// opened, to registrars, stay: the registrar sends calls on them).
    public var idleTimeout: Duration = .seconds(600)
}

public struct RouteConfig: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// The source runs from start-up, viewers or not.
        case alwaysOn = "always-on"
        /// The source starts at the first viewer and stops `idleTimeout` after the last.
        case onDemand = "on-demand"
    }

    public enum RTSPTransport: String, Sendable, CaseIterable {
        case tcp, udp, auto
    }

    public enum VideoHandling: String, Sendable, CaseIterable {
        /// Pass the source's video through when browsers can decode it.
        case auto
        /// Drop video.
        case none
    }

    public enum AudioHandling: String, Sendable, CaseIterable {
        /// Pass through what browsers play (Opus, G.711, G.722); transcode the rest (AAC) to Opus.
        case auto
        /// Always transcode to Opus.
        case opus
        /// Never transcode; audio browsers cannot play is dropped.
        case passthrough
        /// Drop audio.
        case none
    }

    public var name: String
    public var source: SourceURL
    public var mode: Mode
    public var idleTimeout: Duration
    public var token: Redacted?
    public var transport: RTSPTransport
    public var video: VideoHandling
    public var audio: AudioHandling
    /// rtsps only: how the camera's certificate is checked. `.full` (the default) needs a certificate the
    /// system trusts for the host; a self-signed camera needs a pin (`tls_fingerprint`) or `tls_verify: false`.
    public var tlsVerification = TLSVerification.full
    /// RTSP over UDP: the client port pairs offered to the camera (even RTP port, RTCP next); nil picks any.
    public var udpPorts: ClosedRange<Int>? = nil
    /// RTSP credentials given apart from the URL (a password with `@` or `:` needs no escaping here).
    public var username: String? = nil
    public var password: Redacted? = nil
    /// Viewers of this route at once (besides `webrtc.max_viewers`); nil: no limit of its own.
    public var maxViewers: Int? = nil

    /// The source URL with `username`/`password` put into its userinfo (percent-encoded) when they are set.
    public var sourceURLWithCredentials: Redacted {
        guard username != nil || password != nil, let schemeEnd = source.url.revealed.range(of: "://") else { return source.url }
        let allowed = CharacterSet.urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@"))
        let user = (username ?? "").addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        let secret = password.map { ":" + ($0.revealed.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") } ?? ""
        let text = source.url.revealed
        return Redacted(String(text[..<schemeEnd.upperBound]) + user + secret + "@" + String(text[schemeEnd.upperBound...]))
    }
}
