import BridgeCore
import BridgeSDP
import BridgeSIP
import Logging
import NIOCore

/// Calls: inbound routing (who may ring: `SIPEndpointCore+Admission`), what routes do with a call, and outbound calls.
extension SIPEndpointCore {
    /// The call route for a Request-URI user: a trunk's user first, then an account's username.
    func route(forUser user: String) -> (route: CallRouteConfig, viaTrunk: Bool)? {
        if let route = settings.calls.values.first(where: { $0.trunk?.user == user }) { return (route, true) }
        if let route = settings.calls.values.first(where: { $0.account?.username == user }) { return (route, false) }
        return nil
    }

    func incomingCall(_ reference: SIPCallReference, invite: SIPMessage, source: TransportAddress, now: MonotonicInstant) {
        func refuse(_ refusal: Refusal) {
            logger.log(level: refusal.level, "SIP INVITE from \(source) refused with \(refusal.status): \(refusal.why)")
            do {
                try agent?.reject(reference, status: refusal.status, reasonPhrase: refusal.reasonPhrase, headers: refusal.headers, now: now)
            } catch {
                logger.debug("SIP cannot reject: \(error)")
            }
        }
        func refuse(_ status: Int, _ why: String) { refuse(Refusal(status: status, why: why)) }
        guard let user = ((try? invite.requestURI()) ?? nil)?.user, let match = route(forUser: user) else {
            refuse(404, "no call route for \(invite.requestURIText ?? "-")")
            return
        }
        let route = match.route
        if let refusal = admission(of: invite, route: route, viaTrunk: match.viaTrunk, user: user, source: source, now: now) {
            refuse(refusal)
            return
        }
        guard let handler = handlers[route.name] else {
            refuse(480, "no handler for call route \(route.name)")
            return
        }
        let offer: SessionDescription?
        do {
            offer = try invite.sessionDescription()
        } catch {
            refuse(488, "unusable SDP offer: \(error)")
            return
        }
        let id = SIPCallID(SIPEndpoint.newCallID())
        let entry = CallEntry(id: id, route: route.name, isOutbound: false)
        entry.reference = reference
        entry.ringDeadline = now + route.ringTimeout
        calls[id] = entry
        callsByReference[reference] = id
        let from = (try? invite.from()) ?? nil
        let caller = from?.displayName.flatMap { $0.isEmpty ? nil : $0 } ?? from?.uri.user ?? from?.uri.host ?? "unknown"
        logger.info("SIP call \(id) from \(caller) (\(source)) for \(route.name)")
        handler.incomingCall(SIPCallHandle(id: id, caller: caller, remoteOffer: offer, core: NIOLoopBound(self, eventLoop: eventLoop)))
    }

    // MARK: What a route does (from SIPCallHandle, on the loop)

    func observe(_ id: SIPCallID, _ observer: any SIPCallObserver) {
        guard let entry = calls[id] else {
            observer.call(id, didChange: .ended(reason: "the call is over", status: nil))
            return
        }
        entry.observer = observer
        let pending = entry.pending
        entry.pending.removeAll()
        for event in pending { observer.call(id, didChange: event) }
    }

    func perform(_ id: SIPCallID, _ what: String, _ action: (inout SIPUserAgent, SIPCallReference, MonotonicInstant) throws(SIPError) -> Void) {
        guard let entry = calls[id], let reference = entry.reference, var current = agent else {
            logger.debug("SIP \(what) for \(id): no such call (any more)")
            return
        }
        // Moved out and back so that the mutation does not copy the agent's tables.
        agent = nil
        let now = Self.now()
        do {
            try action(&current, reference, now)
        } catch {
            logger.debug("SIP \(what) for \(id): \(error)")
        }
        agent = current
        drainAgent(now: now)
        reschedule(now: now)
    }

    func answer(_ id: SIPCallID, sdp: SessionDescription) {
        calls[id]?.ringDeadline = nil
        perform(id, "answer") { agent, reference, now throws(SIPError) in
            try agent.answer(reference, sdp: Array(sdp.write().utf8), now: now)
        }
    }

    func reject(_ id: SIPCallID, status requested: Int) {
        var status = (300...699).contains(requested) ? requested : 480
        var headers: [SIPHeaderField] = []
        if (300...399).contains(status) {
            // A redirect goes to the route's fallback URI; without one there is nowhere to send the caller.
            if let route = calls[id].flatMap({ settings.calls[$0.route] }), case .redirect(let uri) = route.fallback {
                headers.append(SIPHeaderField(name: .contact, value: "<\(uri)>"))
            } else {
                status = 480
            }
        }
        perform(id, "reject") { agent, reference, now throws(SIPError) in
            try agent.reject(reference, status: status, headers: headers, now: now)
        }
    }

    func hangUp(_ id: SIPCallID) {
        guard let entry = calls[id] else { return }
        guard entry.reference != nil else {
            // An outbound call still waiting for its destination.
            finish(entry, reason: "hung up")
            return
        }
        perform(id, "hang up") { agent, reference, now throws(SIPError) in try agent.hangUp(reference, now: now) }
    }

    func reoffer(_ id: SIPCallID, sdp: SessionDescription) {
        var failure: SIPError?
        perform(id, "re-INVITE") { agent, reference, now throws(SIPError) in
            do throws(SIPError) {
                try agent.reoffer(reference, sdp: Array(sdp.write().utf8), now: now)
            } catch {
                failure = error
            }
        }
        if let failure, let entry = calls[id] { emit(entry, .reofferRejected(status: 0, reason: "cannot send the re-INVITE: \(failure.message)")) }
    }

    func sendInfoDTMF(_ id: SIPCallID, digit: Character, durationMilliseconds: Int) {
        guard SIPInfoDTMF.digits.contains(digit) else { return }
        let body = SIPInfoDTMF.body(digit: digit, durationMilliseconds: durationMilliseconds)
        perform(id, "INFO") { agent, reference, now throws(SIPError) in
            try agent.sendInfo(reference, contentType: SIPContentType(type: "application", subtype: "dtmf-relay"), body: body, now: now)
        }
    }

    // MARK: Outbound

    func addOutbound(_ id: SIPCallID, route: String, observer: any SIPCallObserver) {
        let entry = CallEntry(id: id, route: route, isOutbound: true)
        entry.observer = observer
        calls[id] = entry
    }

    func startOutbound(_ id: SIPCallID, plan: SIPEndpoint.CallPlan, destination: TransportAddress?, offer: SessionDescription) {
        guard let entry = calls[id], entry.reference == nil else { return }
        guard let destination else {
            finish(entry, reason: "cannot resolve \(plan.destinationHost) (no DNS answer)")
            return
        }
        let now = Self.now()
        do {
            guard agent != nil else { throw SIPCallFailure("the SIP edge is not running") }
            if plan.transport == .tls { tlsPeers[destination] = TLSPeer(host: plan.destinationHost, verification: plan.tlsVerification) }
            let reference = try agent?.startCall(to: plan.target, from: plan.from, destination: destination, transport: plan.transport,
                                                 sdp: Array(offer.write().utf8), credentials: plan.credentials, now: now)
            guard let reference else { throw SIPCallFailure("the SIP edge is not running") }
            entry.reference = reference
            callsByReference[reference] = id
            logger.info("SIP call \(id) from \(entry.route) to \(plan.target) via \(destination)")
        } catch {
            finish(entry, reason: "cannot call \(plan.target): \(error)")
        }
        drainAgent(now: now)
        reschedule(now: now)
    }
}
