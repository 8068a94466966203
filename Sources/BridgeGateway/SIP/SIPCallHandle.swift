import BridgeSIP
import BridgeSDP
import NIOCore

/// A call as a route sees it (`SIPCallControl`): every action hops to the SIP loop, in the order it was made.
final class SIPCallHandle: SIPCallControl {
    let id: SIPCallID
    let caller: String
    let remoteOffer: SessionDescription?
    private let core: NIOLoopBound<SIPEndpointCore>
    private let eventLoop: any EventLoop

    init(id: SIPCallID, caller: String, remoteOffer: SessionDescription?, core: NIOLoopBound<SIPEndpointCore>) {
        self.id = id
        self.caller = caller
        self.remoteOffer = remoteOffer
        self.core = core
        self.eventLoop = core.eventLoop
    }

    private func onLoop(_ body: @escaping @Sendable (SIPEndpointCore) -> Void) {
        let core = self.core
        eventLoop.execute { body(core.value) }
    }

    func observe(_ observer: any SIPCallObserver) {
        let id = self.id
        onLoop { $0.observe(id, observer) }
    }

    func ring() {
        let id = self.id
        onLoop { core in
            core.perform(id, "ring") { agent, reference, now throws(SIPError) in try agent.ring(reference, now: now) }
        }
    }

    func answer(sdp: SessionDescription) {
        let id = self.id
        onLoop { $0.answer(id, sdp: sdp) }
    }

    func reject(status: Int) {
        let id = self.id
        onLoop { $0.reject(id, status: status) }
    }

    func hangUp() {
        let id = self.id
        onLoop { $0.hangUp(id) }
    }

    func reoffer(sdp: SessionDescription) {
        let id = self.id
        onLoop { $0.reoffer(id, sdp: sdp) }
    }

    func sendInfoDTMF(_ digit: Character, durationMilliseconds: Int) {
        let id = self.id
        onLoop { $0.sendInfoDTMF(id, digit: digit, durationMilliseconds: durationMilliseconds) }
    }
}
