/// An RTSP request (RFC 2326 section 6): what the client sends, and what a server may send back unasked.
public struct RTSPRequest: Sendable, Hashable {
    public var method: String
    public var uri: String
    public var headers: RTSPHeaders
    public var body: [UInt8]

    public init(method: String, uri: String, headers: RTSPHeaders = RTSPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    /// Appends the request line, the headers (with Content-Length when there is a body) and the body.
    /// Refuses any text with CR, LF or NUL: a header value from a URL or camera must not start a new line.
    public func write(into output: inout [UInt8]) throws(RTSPError) {
        var text = "\(method) \(uri) RTSP/1.0\r\n"
        for part in [method, uri] where part.contains(where: { $0 == " " }) || Self.isUnsafe(part) {
            throw RTSPError(.unsafeHeaderValue, "RTSP request line part \"\(RTSPError.preview(part))\" has spaces or line breaks")
        }
        for (name, value) in headers {
            guard !Self.isUnsafe(name), !Self.isUnsafe(value), !name.contains(":") else {
                throw RTSPError(.unsafeHeaderValue, "RTSP header \(RTSPError.preview(name)) has a line break")
            }
            text += "\(name): \(value)\r\n"
        }
        if !body.isEmpty, headers["Content-Length"] == nil { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        output.append(contentsOf: text.utf8)
        output.append(contentsOf: body)
    }

    static func isUnsafe(_ text: String) -> Bool {
        text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}

/// One message from the stream: a response, a request the server sent, or interleaved data.
public enum RTSPMessage: Sendable, Hashable {
    case request(RTSPRequest)
    case response(RTSPResponse)
    /// `$` framing (RFC 2326 section 10.12): RTP or RTCP on the channel SETUP assigned.
    case interleaved(channel: UInt8, payload: [UInt8])
}
