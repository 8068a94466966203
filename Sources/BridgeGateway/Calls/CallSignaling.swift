import BridgeSDP

/// The seam between the SIP edge (signalling: `SIPEndpoint`, which owns the user agent, sockets, accounts
/// and trunks) and a call route (media and browsers: the call page and the call bridge).
///
/// The SIP edge calls `CallRouteHandler.incomingCall` for an INVITE matched to a route; the route answers
/// through the `SIPCallControl` it receives, and hears what happens next through `SIPCallObserver`.
/// Browser-initiated calls go the other way through `SIPCallPlacer`. All calls may arrive on any thread.

/// What happens to a SIP call after it started.
public enum SIPCallEvent: Sendable {
    /// 180/183 from the far end of an outbound call; `sdp` for early media (183 with a body).
    case progress(status: Int, sdp: SessionDescription?)
    /// The far end answered our outbound INVITE; its SDP answer.
    case answered(sdp: SessionDescription)
    /// The call is up both ways (ACK received, or our ACK sent).
    case established
    /// The far end changed the media (re-INVITE for hold or resume): its new offer, already answered with
    /// our last SDP by the user agent.
    case reoffered(sdp: SessionDescription)
    /// The far end accepted our re-INVITE (`SIPCallControl.reoffer`): its answer.
    case reofferAnswered(sdp: SessionDescription)
    /// Our re-INVITE was refused (491 glare, 488…) or could not be sent: the session stays as it was.
    case reofferRejected(status: Int, reason: String)
    /// A DTMF digit from SIP INFO (`application/dtmf-relay` or `application/dtmf`).
    case dtmf(digit: Character, durationMilliseconds: Int)
    /// The call is over: BYE, CANCEL, a failure response (busy, declined, timeout), or a transport error.
    /// `status` is the final SIP status when there was one (486, 603, 408…).
    case ended(reason: String, status: Int?)
}

public protocol SIPCallObserver: AnyObject, Sendable {
    func call(_ id: SIPCallID, didChange event: SIPCallEvent)
}

/// One call on the SIP side, as the route sees it.
public struct SIPCallID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// What a route may do with a call (inbound: ring, answer or reject; both: hang up).
public protocol SIPCallControl: AnyObject, Sendable {
    var id: SIPCallID { get }
    /// From the INVITE: the caller's display name or user, for the page.
    var caller: String { get }
    /// The phone's SDP offer (nil for a late-offer INVITE: `answer` then carries our offer and the ACK's
    /// answer arrives as `.answered`).
    var remoteOffer: SessionDescription? { get }
    /// Where events for this call go; set it before ringing.
    func observe(_ observer: any SIPCallObserver)
    func ring()
    func answer(sdp: SessionDescription)
    func reject(status: Int)
    func hangUp()
    /// Sends a new offer in the answered call (re-INVITE: hold with `sendonly`, resume with `sendrecv`);
    /// `.reofferAnswered` or `.reofferRejected` follows.
    func reoffer(sdp: SessionDescription)
    /// Sends a DTMF digit as SIP INFO (`application/dtmf-relay`) when the phone did not take RFC 4733.
    func sendInfoDTMF(_ digit: Character, durationMilliseconds: Int)
}

/// A route that takes calls: implemented by the call page side.
public protocol CallRouteHandler: AnyObject, Sendable {
    var routeName: String { get }
    func incomingCall(_ call: any SIPCallControl)
}

/// Starts browser-initiated calls: implemented by the SIP edge.
public protocol SIPCallPlacer: AnyObject, Sendable {
    /// Sends an INVITE for `route` to `target` (a SIP URI, or a number the route's `dial` template turns into
    /// one) with `offer`; challenges are answered with the route's credentials. Throws a message for the page
    /// when the target cannot be reached or the route cannot call.
    func placeCall(route: String, to target: String, offer: SessionDescription, observer: any SIPCallObserver) throws(SIPCallFailure) -> any SIPCallControl
}

public struct SIPCallFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
