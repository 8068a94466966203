import BridgeSDP

/// Hold and resume (RFC 3264 section 8.4). From the page: a re-INVITE to the phone with `sendonly` (hold)
/// or `sendrecv` (resume), the browser's audio kept from the phone while held. From the phone: its
/// re-INVITE's direction, shown on the page. Sequence numbers and timestamps run on across a hold, so
/// neither leg's SRTP loses its place.
extension CallRoute {
    func hold(_ hold: Bool, from page: Int) {
        guard let call, call.page == page, call.bridge != nil, let last = call.lastSIPSDP else {
            send(CallMessage("error", message: "no call to \(hold ? "hold" : "resume")"), to: page)
            return
        }
        guard call.pendingHold == nil else {
            send(CallMessage("error", message: "the last hold or resume is still waiting for the phone"), to: page)
            return
        }
        guard call.heldByBrowser != hold else { return }
        let reoffer = call.translator.sipReoffer(from: last, direction: hold ? .sendonly : .sendrecv)
        call.pendingHold = (hold, reoffer)
        call.control.reoffer(sdp: reoffer)
    }

    func reofferAnswered(_ answer: SessionDescription) {
        guard let call, let pending = call.pendingHold else { return }
        call.pendingHold = nil
        call.lastSIPSDP = pending.sdp
        call.heldByBrowser = pending.hold
        let address = Self.mediaAddress(of: answer)
        if let bridge = call.bridge {
            bridge.eventLoop.execute {
                bridge.value.browserHolds(pending.hold)
                // The latch keeps its address unless the answer moved the phone (c=0.0.0.0, the old hold, does not).
                bridge.value.phoneMoved(to: address)
            }
        }
        send(CallMessage(pending.hold ? "held" : "resumed", call: call.control.id.rawValue, from: "browser"), to: call.page)
    }

    func reofferRejected(_ reason: String) {
        guard let call, let pending = call.pendingHold else { return }
        call.pendingHold = nil
        send(CallMessage("error", message: "\(pending.hold ? "hold" : "resume") failed: \(reason)"), to: call.page)
    }

    /// The phone's own re-INVITE: `sendonly` or `inactive` holds the call from its side, `sendrecv` resumes.
    func phoneReoffered(_ offer: SessionDescription) {
        guard let call, let audio = offer.media.first(where: { $0.media == "audio" && !$0.isRejected }) else { return }
        let direction = offer.direction(of: audio), address = Self.mediaAddress(of: offer)
        let held = !direction.sends || address == nil
        // Our answer is recvonly or inactive unless the phone receives: send it nothing until it resumes.
        let receives = direction.receives && address != nil
        if let bridge = call.bridge { bridge.eventLoop.execute { bridge.value.phoneHolds(!receives) } }
        send(CallMessage(held ? "held" : "resumed", call: call.control.id.rawValue, from: "phone"), to: call.page)
    }
}
