/// An RTSP response (RFC 2326 section 7).
public struct RTSPResponse: Sendable, Hashable {
    public var statusCode: Int
    public var reasonPhrase: String
    public var headers: RTSPHeaders
    public var body: [UInt8]

    public init(statusCode: Int, reasonPhrase: String, headers: RTSPHeaders = RTSPHeaders(), body: [UInt8] = []) {
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase
        self.headers = headers
        self.body = body
    }

    public var cseq: Int? { headers["CSeq"].flatMap { Int($0.trimmingCharacters(in: " \t")) } }
    public var isSuccess: Bool { (200..<300).contains(statusCode) }

    /// `404 Not Found`, printable and short (the phrase comes from the camera).
    public var status: String {
        let phrase = RTSPError.preview(reasonPhrase.trimmingCharacters(in: " \t"))
        return phrase.isEmpty ? "\(statusCode)" : "\(statusCode) \(phrase)"
    }

    public func write(into output: inout [UInt8]) {
        var text = "RTSP/1.0 \(statusCode) \(reasonPhrase)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty, headers["Content-Length"] == nil { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        output.append(contentsOf: text.utf8)
        output.append(contentsOf: body)
    }
}
