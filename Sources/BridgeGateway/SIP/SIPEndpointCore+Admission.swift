import BridgeCore
import BridgeSIP
import Logging

/// Who may ring a call route: a trunk's callers from `trunk.allow`, else with Digest credentials (at most
/// `SIPAuthFailureLimiter.limit` wrong tries per address and window); an account's calls from its registrar
/// only, once the account registered there.
extension SIPEndpointCore {
    /// Why an inbound INVITE is turned away before it reaches the route.
    struct Refusal {
        var status: Int
        var why: String
        var reasonPhrase: String?
        var headers: [SIPHeaderField] = []
        var level: Logger.Level = .info
    }

    /// nil when `invite` may ring `route`.
    func admission(of invite: SIPMessage, route: CallRouteConfig, viaTrunk: Bool, user: String, source: TransportAddress,
                   now: MonotonicInstant) -> Refusal? {
        guard viaTrunk else { return accountAdmission(route: route, user: user, source: source) }
        guard let trunk = route.trunk, !trunk.allows(source) else { return nil }
        guard let credentials = trunk.credentials else {
            return Refusal(status: 403, why: "\(source.ipString) is not on calls \(route.name) trunk.allow")
        }
        guard !authFailures.isBlocked(source, now: now) else {
            // Debug: the flood this answers must not become a flood of log lines.
            return Refusal(status: 403, why: "too many failed attempts from \(source.ipString) (calls \(route.name))",
                           reasonPhrase: "Too many failed attempts", level: .debug)
        }
        let verdict = digestServer.verify(invite, now: now) { username in
            username == credentials.username ? credentials.password : nil
        }
        switch verdict {
        case .authorized:
            return nil
        case .missing:
            return Refusal(status: 401, why: "challenged (calls \(route.name) trunk needs credentials)",
                           headers: digestServer.challenges(now: now))
        case .stale:
            return Refusal(status: 401, why: "stale nonce", headers: digestServer.challenges(now: now, stale: true))
        case .refused:
            let failures = authFailures.recordFailure(from: source, now: now)
            let blocked = failures >= authFailures.limit ? "; refused for \(authFailures.window) from now" : ""
            return Refusal(status: 403, why: "wrong, replayed or incomplete credentials for calls \(route.name) "
                               + "(failure \(failures) of \(authFailures.limit) within \(authFailures.window)\(blocked))",
                           level: .warning)
        }
    }

    /// An account's INVITEs come from the registrar it registered at: not from elsewhere, and not at all while
    /// the registrar never resolved or never took the registration (anyone could claim to be it then).
    private func accountAdmission(route: CallRouteConfig, user: String, source: TransportAddress) -> Refusal? {
        guard let registration = registrations[route.name], let registrar = registration.registrar else {
            return Refusal(status: 403, why: "calls for account \(user) are refused: its registrar never resolved")
        }
        guard registration.hasRegistered else {
            return Refusal(status: 403, why: "calls for account \(user) are refused: it has not registered at \(registrar.ipString)")
        }
        guard registrar.hasSameIP(as: source) else {
            return Refusal(status: 403, why: "calls for account \(user) are taken from its registrar \(registrar.ipString) only")
        }
        return nil
    }
}
