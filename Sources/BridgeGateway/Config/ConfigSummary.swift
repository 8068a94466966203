/// The `check-config` report for a valid file.
public enum ConfigSummary {
    public static func describe(_ config: GatewayConfig) -> String {
        let count = config.routes.count == 1 ? "1 route" : "\(config.routes.count) routes"
        var lines = ["ok: \(count); http on \(config.http.listen)\(config.http.tls == nil ? "" : " (TLS)"), WebRTC UDP \(config.webrtc.udpPort)"
            + (config.webrtc.tcpPort == 0 ? "" : ", ICE-TCP \(config.webrtc.tcpPort)")]
        for route in config.routes {
            var details = [route.mode.rawValue]
            if route.source.kind != .file { details.append(route.transport.rawValue) }
            if route.token != nil { details.append("token") }
            lines.append("  \(route.name): \(route.source.redacted) (\(details.joined(separator: ", ")))")
        }
        if config.sip.enabled {
            lines.append("  SIP on UDP/TCP \(config.sip.listen)" + (config.sip.publicAddress.map { ", public address \($0)" } ?? "")
                + (config.sip.tls.map { ", TLS \($0.listen)" + ($0.certificate == nil ? " (self-signed)" : "") } ?? "")
                + ", RTP \(config.sip.rtpPorts.lowerBound)-\(config.sip.rtpPorts.upperBound)")
        }
        for call in config.calls {
            var details: [String] = []
            if let account = call.account { details.append("account \(account.username)@\(account.registrar.hostPort)") }
            if let trunk = call.trunk { details.append("trunk user \(trunk.user)") }
            details.append("fallback \(call.fallback)")
            if call.token != nil { details.append("token") }
            lines.append("  call \(call.name): \(details.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}
