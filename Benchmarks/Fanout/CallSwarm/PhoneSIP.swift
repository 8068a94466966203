import BridgeCore
import BridgeSDP
import BridgeSIP
import NIOCore
import NIOPosix
import SwarmSupport

/// The phone's SIP user agent client for one call over its own UDP socket: INVITE with a PCMU offer
/// (retransmitted per RFC 3261 timer A until a response, bounded), ACK for every 2xx, BYE at the end,
/// 200 to a BYE from the gateway. Final responses go to the mailbox. Lives on one event loop.
final class PhoneSIP: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// A final response to the INVITE or BYE, or the gateway's BYE.
    struct Event: Sendable {
        var method: String
        var status: Int
        /// The 2xx's SDP: where the gateway wants the phone's RTP.
        var media: TransportAddress?
    }

    static let retransmitLimit = 6
    let mailbox: Mailbox<Event>
    let gateway: SocketAddress
    let localPort: Int
    private let callID = "\(UInt64.random(in: 1...UInt64.max))@callswarm"
    private let fromTag = String(UInt32.random(in: 1...UInt32.max), radix: 16)
    private let user: String
    private var context: ChannelHandlerContext?
    private var requestURI: String
    private var toHeader: String
    private var pending: (method: String, bytes: [UInt8], attempts: Int, timer: Scheduled<Void>?)?
    private(set) var ended = false

    init(mailbox: Mailbox<Event>, gateway: SocketAddress, gatewayPort: Int, localPort: Int, user: String) {
        self.mailbox = mailbox
        self.gateway = gateway
        self.localPort = localPort
        self.user = user
        requestURI = "sip:\(user)@127.0.0.1:\(gatewayPort)"
        toHeader = "<sip:\(user)@127.0.0.1>"
    }

    /// A UDP socket for SIP on `eventLoop`, talking to the gateway's SIP port.
    static func bind(on eventLoop: any EventLoop, gatewayPort: Int, user: String) async throws -> NIOLoopBound<PhoneSIP> {
        let gateway = try SocketAddress(ipAddress: "127.0.0.1", port: gatewayPort)
        return try await LoopbackUDP.bind(on: eventLoop) { port in
            PhoneSIP(mailbox: Mailbox(eventLoop: eventLoop), gateway: gateway, gatewayPort: gatewayPort, localPort: port, user: user)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        pending?.timer?.cancel()
        mailbox.close(reason: "the phone's SIP socket closed")
    }

    /// Sends the INVITE offering PCMU (and telephone-event) on `rtpPort`.
    func invite(rtpPort: Int) {
        let sdp = [
            "v=0", "o=callswarm \(UInt32.random(in: 1...UInt32.max)) 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
            "m=audio \(rtpPort) RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15",
            "a=ptime:20", "a=sendrecv",
        ].joined(separator: "\r\n") + "\r\n"
        send(request("INVITE", sequence: 1, extra: ["Contact: <sip:phone-\(user)@127.0.0.1:\(localPort)>", "Content-Type: application/sdp"],
                     body: sdp), method: "INVITE", reliable: true)
    }

    /// Hangs up (BYE, retransmitted until answered or given up on).
    func bye() {
        guard !ended else { return }
        ended = true
        send(request("BYE", sequence: 2), method: "BYE", reliable: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == gateway, let message = try? SIPMessage(parsing: Array(envelope.data.readableBytesView)) else { return }
        if message.isRequest {
            return answerRequest(message)
        }
        guard let status = message.statusCode, let cseq = try? message.cseq() else { return }
        let method = cseq.method.rawValue
        if let pending, pending.method == method {
            // Any response stops request retransmission (a 1xx moves an INVITE to waiting for the final one).
            pending.timer?.cancel()
            self.pending?.timer = nil
            if status >= 200 { self.pending = nil }
        }
        guard status >= 200 else { return }
        if method == "INVITE" {
            if (200..<300).contains(status) {
                if let to = message[.to] { toHeader = to }
                if let contact = message[.contact], let open = contact.firstIndex(of: "<"), let close = contact.firstIndex(of: ">"), open < close {
                    requestURI = String(contact[contact.index(after: open)..<close])
                }
                // ACK every 2xx, retransmissions included (RFC 3261 section 13.2.2.4).
                send(request("ACK", sequence: 1), method: "ACK", reliable: false)
            }
            let media = (try? message.sessionDescription()).flatMap(Self.audioAddress)
            mailbox.deliver(Event(method: method, status: status, media: media))
        } else {
            mailbox.deliver(Event(method: method, status: status))
        }
    }

    /// The gateway's BYE (the call ended on its side) or anything else: 200 with the request's headers.
    private func answerRequest(_ message: SIPMessage) {
        let copied = [SIPHeaderName.via, .from, .to, .callID, .cseq].flatMap { name in message.fields(name).map { "\(name): \($0.value)" } }
        send(Array((["SIP/2.0 200 OK"] + copied + ["Content-Length: 0", "", ""]).joined(separator: "\r\n").utf8), method: "", reliable: false)
        if message.method == .bye {
            ended = true
            mailbox.deliver(Event(method: "BYE-received", status: 0))
        }
    }

    private func request(_ method: String, sequence: Int, extra: [String] = [], body: String = "") -> [UInt8] {
        let branch = "z9hG4bK\(UInt64.random(in: 1...UInt64.max))"
        let lines = ["\(method) \(requestURI) SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:\(localPort);branch=\(branch);rport", "Max-Forwards: 70",
                     "From: <sip:phone-\(user)@127.0.0.1>;tag=\(fromTag)", "To: \(toHeader)", "Call-ID: \(callID)",
                     "CSeq: \(sequence) \(method)"] + extra + ["Content-Length: \(body.utf8.count)", "", body]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    private func send(_ bytes: [UInt8], method: String, reliable: Bool) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: gateway, data: context.channel.allocator.buffer(bytes: bytes))),
                              promise: nil)
        guard reliable else { return }
        pending?.timer?.cancel()
        pending = (method, bytes, 1, nil)
        scheduleRetransmission()
    }

    /// Timer A: 500 ms, doubling, at most `retransmitLimit` times.
    private func scheduleRetransmission() {
        guard let context, let pending, pending.attempts <= Self.retransmitLimit else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let delay = TimeAmount.milliseconds(500 << Int64(pending.attempts - 1))
        self.pending?.timer = context.eventLoop.scheduleTask(in: delay) {
            let phone = bound.value
            guard let context = phone.context, let pending = phone.pending else { return }
            context.writeAndFlush(phone.wrapOutboundOut(AddressedEnvelope(remoteAddress: phone.gateway,
                                                                           data: context.channel.allocator.buffer(bytes: pending.bytes))), promise: nil)
            phone.pending?.attempts += 1
            phone.scheduleRetransmission()
        }
    }

    /// Where an SDP says it receives audio.
    static func audioAddress(_ sdp: SessionDescription) -> TransportAddress? {
        guard let audio = sdp.media.first(where: { $0.media == "audio" && !$0.isRejected }),
              let connection = sdp.connection(for: audio), let port = UInt16(exactly: audio.port) else { return nil }
        return TransportAddress(connection.address, port: port)
    }

    func close() {
        context?.close(promise: nil)
    }
}
