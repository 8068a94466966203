/// Builds responses to a request (RFC 3261 section 8.2.6): the request's Vias, From, To, Call-ID and CSeq
/// copied, a To tag added where the response creates or belongs to a dialog.
public enum SIPResponseBuilder {
    /// A response to `request`. `toTag` is added to the To header unless it already has one (or is nil);
    /// 100 Trying never gets a tag.
    public static func response(to request: SIPMessage, status: Int, reasonPhrase: String? = nil,
                                toTag: String? = nil, headers: [SIPHeaderField] = [], body: [UInt8] = []) -> SIPMessage {
        var response = SIPMessage.response(status, reasonPhrase)
        for field in request.headers where field.name == .via {
            response.headers.append(SIPHeaderField(name: .via, value: field.value))
        }
        if let from = request[.from] { response.append(.from, from) }
        if let to = request[.to] {
            if status > 100, let toTag, var address = try? request.to(), address.tag == nil {
                address.tag = toTag
                response.append(.to, address.description)
            } else {
                response.append(.to, to)
            }
        }
        if let callID = request[.callID] { response.append(.callID, callID) }
        if let cseq = request[.cseq] { response.append(.cseq, cseq) }
        if status == 100, let timestamp = request["Timestamp"] { response.append("Timestamp", timestamp) }
        response.headers.append(contentsOf: headers)
        response.body = body
        return response
    }
}
