/// One message on the call page's WebSocket (JSON), both directions.
///
/// Gateway to page: `hello` (route, state), `ringing` (call, caller), `taken` (another browser answered),
/// `offer` (sdp: answer it), `send-offer` (a late-offer call: make an offer), `answer` (sdp, for the page's
/// own offer), `progress` (status), `connected`, `ended` (reason, status), `dtmf` (digit, from: phone|browser),
/// `held` and `resumed` (from: browser|phone: who held or resumed), `error` (message).
/// Page to gateway: `auth` (token: the first message on a protected route), `accept` (call), `reject`, `answer` (sdp), `offer` (sdp, after `send-offer`),
/// `dial` (target, sdp: the page's offer), `hold`, `resume`, `hangup`; `candidate` and `end-of-candidates`
/// (trickle ICE) are accepted and need nothing, the gateway being ICE-lite.
package struct CallMessage: Codable, Sendable, Equatable {
    var type: String
    var route: String?
    var state: String?
    var call: String?
    var caller: String?
    var sdp: String?
    var target: String?
    var digit: String?
    var from: String?
    var reason: String?
    var status: Int?
    var message: String?
    /// Only in the page's `auth` message; never sent back.
    var token: String?

    init(_ type: String, route: String? = nil, state: String? = nil, call: String? = nil, caller: String? = nil,
         sdp: String? = nil, target: String? = nil, digit: String? = nil, from: String? = nil, reason: String? = nil,
         status: Int? = nil, message: String? = nil) {
        self.type = type
        self.route = route
        self.state = state
        self.call = call
        self.caller = caller
        self.sdp = sdp
        self.target = target
        self.digit = digit
        self.from = from
        self.reason = reason
        self.status = status
        self.message = message
    }
}
