import BridgeCore
import BridgeSIP

/// Accounts: a `SIPRegistration` each, on a transaction layer of their own that shares the socket (REGISTER
/// responses are told apart by their CSeq method before the user agent sees them).
extension SIPEndpointCore {
    func startRegistration(route: String, account: CallRouteConfig.Account, verification: TLSVerification,
                           registrar: TransportAddress?, now: MonotonicInstant) {
        let host = settings.advertisedHost
        let port = UInt16(settings.port)
        let name = "\(account.username)@\(account.registrar.hostPort)"
        guard let registrar else {
            board.set(SIPRegistrationStatus(route: route, account: name, state: .failed,
                                            error: "cannot resolve \(account.registrar.host) (no DNS answer); restart to retry"))
            return
        }
        var generator = SystemRandomNumberGenerator()
        let transport = account.registrar.requestTransport
        let tlsPort = settings.tlsPort.map { UInt16($0) }
        if transport == .tls { tlsPeers[registrar] = TLSPeer(host: account.registrar.host, verification: verification) }
        var configuration = SIPRegistration.Configuration(
            registrar: SIPURI(isSecure: account.registrar.isSecure, host: account.registrar.host, port: account.registrar.port,
                              parameters: account.registrar.parameters),
            addressOfRecord: account.addressOfRecord,
            contact: SIPURI(user: account.username, host: host, port: port)
                .onTransport(transport, tlsPort: tlsPort, secure: account.registrar.isSecure),
            credentials: account.credentials, expires: account.expires,
            via: SIPVia(transport: "UDP", host: host, port: port).onTransport(transport, tlsPort: tlsPort))
        configuration.userAgent = settings.sip.userAgent
        var registration = SIPRegistration(configuration: configuration, callID: BridgeSIP.SIPCallID.random(host: host, using: &generator),
                                           localTag: SIPRandom.tag(using: &generator), seed: nil)
        registration.start(now: now)
        registrations[route] = AccountRegistration(registration: registration, registrar: registrar, transport: transport,
                                                   transaction: nil, account: name)
        logger.info("SIP registering \(name) for \(route) at \(registrar) over \(transport)")
    }

    /// Moves REGISTER requests to the layer and responses back until neither has anything left.
    func drainRegistrations(now: MonotonicInstant) {
        var progressed = true
        while progressed {
            progressed = false
            for route in registrations.keys.sorted() {
                guard var entry = registrations[route] else { continue }
                while let output = entry.registration.pollOutput() {
                    progressed = true
                    switch output {
                    case .send(let request):
                        guard let registrar = entry.registrar else { continue }
                        do {
                            entry.transaction = try registrationLayer.sendRequest(request, to: registrar, transport: entry.transport, now: now)
                        } catch {
                            logger.warning("SIP REGISTER for \(entry.account) not sent: \(error)")
                        }
                    case .registered(let expires):
                        entry.hasRegistered = true
                        logger.info("SIP \(entry.account) registered for \(expires) s")
                    case .failed(let reason):
                        logger.warning("SIP registration of \(entry.account) failed: \(reason)")
                    case .unregistered:
                        logger.info("SIP \(entry.account) unregistered")
                    }
                }
                registrations[route] = entry
                board.set(status(of: entry, route: route))
            }
            while let output = registrationLayer.pollOutput() {
                progressed = true
                switch output {
                case .send(let outgoing):
                    write(outgoing)
                case .responseReceived(let response, let transaction):
                    guard let route = route(of: transaction) else { continue }
                    registrations[route]?.registration.handle(response: response, now: now)
                case .timedOut(let transaction), .transportError(let transaction):
                    guard let route = route(of: transaction) else { continue }
                    registrations[route]?.registration.handleTransactionFailure(now: now)
                case .requestReceived, .dropped:
                    continue
                }
            }
        }
    }

    private func route(of transaction: SIPTransactionID?) -> String? {
        guard let transaction else { return nil }
        return registrations.first { $0.value.transaction == transaction }?.key
    }

    private func status(of entry: AccountRegistration, route: String) -> SIPRegistrationStatus {
        var status = SIPRegistrationStatus(route: route, account: entry.account, state: .idle, error: nil)
        switch entry.registration.state {
        case .idle: status.state = .idle
        case .registering: status.state = .registering
        case .registered: status.state = .registered
        case .failed(let reason, _):
            status.state = .failed
            status.error = reason
        case .stopped: status.state = .stopped
        }
        return status
    }
}
