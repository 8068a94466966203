/// One JSON message of the call page's WebSocket (the gateway's `CallMessage`, as the page sees it):
/// gateway to page `hello`, `ringing` (call), `offer` (call, sdp), `connected`, `ended` (reason), `error`;
/// page to gateway `accept` (call), `answer` (call, sdp), `hangup`.
struct CallPageMessage: Codable, Sendable {
    var type: String
    var call: String?
    var sdp: String?
    var reason: String?
    var message: String?

    init(_ type: String, call: String? = nil, sdp: String? = nil) {
        self.type = type
        self.call = call
        self.sdp = sdp
    }
}
