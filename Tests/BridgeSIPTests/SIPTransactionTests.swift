@testable import BridgeSIP
import BridgeCore
import Testing

/// RFC 3261 section 17 timers, driven by a manual clock: the test jumps to `nextTimeout()` each time.
@Suite struct SIPTransactionTests {
    static let phone = TransportAddress(ipv4: 192, 0, 2, 10, port: 5060)
    static let gateway = TransportAddress(ipv4: 192, 0, 2, 1, port: 5060)

    static func request(_ method: SIPMethod, branch: String = "z9hG4bKtest1", transport: String = "UDP",
                        sentBy: String = "192.0.2.1:5060", cseq: UInt32 = 1, callID: String = "call-1@test") -> SIPMessage {
        var message = SIPMessage.request(method, uri: SIPURI(user: "bob", host: "192.0.2.10", port: 5060))
        message.append(.via, "SIP/2.0/\(transport) \(sentBy);branch=\(branch)")
        message.append(.maxForwards, "70")
        message.append(.from, "<sip:alice@192.0.2.1>;tag=a1")
        message.append(.to, "<sip:bob@192.0.2.10>")
        message.append(.callID, callID)
        message.append(.cseq, "\(cseq) \(method)")
        message.append(.contact, "<sip:alice@192.0.2.1:5060>")
        return message
    }

    /// Drains the layer: sends with the time they happened, and the other outputs.
    struct Drained {
        var sends: [SIPOutgoingMessage] = []
        var events: [SIPTransactionOutput] = []
    }

    static func drain(_ layer: inout SIPTransactionLayer) -> Drained {
        var drained = Drained()
        while let output = layer.pollOutput() {
            if case .send(let outgoing) = output { drained.sends.append(outgoing) } else { drained.events.append(output) }
        }
        return drained
    }

    /// Runs timers until `until`; returns (time, output) pairs.
    static func run(_ layer: inout SIPTransactionLayer, until end: Double) -> [(Double, SIPTransactionOutput)] {
        var log: [(Double, SIPTransactionOutput)] = []
        while let next = layer.nextTimeout(), next <= .seconds(end) {
            layer.handleTimeout(now: next)
            while let output = layer.pollOutput() { log.append((Double(next.nanoseconds) / 1e9, output)) }
        }
        return log
    }

    static func sendTimes(_ log: [(Double, SIPTransactionOutput)]) -> [Double] {
        log.compactMap { if case .send = $0.1 { return $0.0 } else { return nil } }
    }

    @Test func inviteClientOverUDPRetransmitsThenTimerBFires() throws {
        var layer = SIPTransactionLayer()
        let id = try layer.sendRequest(Self.request(.invite), to: Self.phone, now: .zero)
        #expect(Self.drain(&layer).sends.count == 1)
        let log = Self.run(&layer, until: 100)
        #expect(Self.sendTimes(log) == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5])
        let timeouts = log.filter { if case .timedOut(id) = $0.1 { return true } else { return false } }
        #expect(timeouts.map(\.0) == [32])
        #expect(layer.clientTransactionCount == 0 && layer.nextTimeout() == nil)
    }

    @Test func inviteClientOverTCPDoesNotRetransmit() throws {
        var layer = SIPTransactionLayer()
        try layer.sendRequest(Self.request(.invite, transport: "TCP"), to: Self.phone, transport: .tcp, now: .zero)
        _ = Self.drain(&layer)
        let log = Self.run(&layer, until: 100)
        #expect(Self.sendTimes(log).isEmpty)
        #expect(log.count == 1 && log.first?.0 == 32)
    }

    @Test func nonInviteClientRetransmitsCappedAtT2ThenTimerF() throws {
        var layer = SIPTransactionLayer()
        let id = try layer.sendRequest(Self.request(.options), to: Self.phone, now: .zero)
        _ = Self.drain(&layer)
        let log = Self.run(&layer, until: 100)
        #expect(Self.sendTimes(log) == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5])
        #expect(log.last.map { $0.0 == 32 && $0.1 == .timedOut(id) } == true)
    }

    @Test func nonInviteClientProvisionalMovesToT2AndFinalStopsWithTimerK() throws {
        var layer = SIPTransactionLayer()
        let request = Self.request(.options)
        let id = try layer.sendRequest(request, to: Self.phone, now: .zero)
        _ = Self.drain(&layer)
        layer.handle(SIPResponseBuilder.response(to: request, status: 100), from: Self.phone, now: .seconds(0.1))
        #expect(Self.drain(&layer).events == [.responseReceived(SIPResponseBuilder.response(to: request, status: 100), transaction: id)])
        let log = Self.run(&layer, until: 9)
        // Timer E was set before the 100; from then on it runs at T2 (RFC 3261 section 17.1.2.2).
        #expect(Self.sendTimes(log) == [0.5, 4.5, 8.5])
        let ok = SIPResponseBuilder.response(to: request, status: 200, toTag: "b1")
        layer.handle(ok, from: Self.phone, now: .seconds(9))
        #expect(Self.drain(&layer).events.count == 1)
        layer.handle(ok, from: Self.phone, now: .seconds(9.5))
        #expect(Self.drain(&layer).events.isEmpty, "retransmitted final response absorbed")
        #expect(layer.nextTimeout() == .seconds(14))
        _ = Self.run(&layer, until: 14)
        #expect(layer.clientTransactionCount == 0)
    }

    /// RFC 3261 section 17.1.1.3: the transaction ACKs a 486 itself, with the INVITE's branch and the
    /// response's To tag, again for each retransmitted 486, which the user does not see twice.
    @Test func inviteClientACKsErrorResponses() throws {
        var layer = SIPTransactionLayer()
        let invite = Self.request(.invite)
        try layer.sendRequest(invite, to: Self.phone, now: .zero)
        _ = Self.drain(&layer)
        layer.handle(SIPResponseBuilder.response(to: invite, status: 180, toTag: "b1"), from: Self.phone, now: .seconds(0.2))
        #expect(Self.drain(&layer).events.count == 1)
        #expect(Self.sendTimes(Self.run(&layer, until: 5)).isEmpty, "no retransmission after a provisional")
        let busy = SIPResponseBuilder.response(to: invite, status: 486, toTag: "b1")
        layer.handle(busy, from: Self.phone, now: .seconds(5))
        let first = Self.drain(&layer)
        #expect(first.events.count == 1)
        let ack = try #require(first.sends.first?.message)
        #expect(ack.method == .ack && ack.requestURIText == invite.requestURIText)
        #expect(try ack.topVia()?.branch == "z9hG4bKtest1")
        #expect(try ack.to()?.tag == "b1" && ack[.cseq] == "1 ACK" && ack[.callID] == "call-1@test")
        layer.handle(busy, from: Self.phone, now: .seconds(6))
        let again = Self.drain(&layer)
        #expect(again.events.isEmpty && again.sends.count == 1)
        #expect(layer.nextTimeout() == .seconds(37), "timer D: 32 s")
    }

    @Test func inviteClientPassesEvery2xxUp() throws {
        var layer = SIPTransactionLayer()
        let invite = Self.request(.invite)
        let id = try layer.sendRequest(invite, to: Self.phone, now: .zero)
        _ = Self.drain(&layer)
        let ok = SIPResponseBuilder.response(to: invite, status: 200, toTag: "b1")
        layer.handle(ok, from: Self.phone, now: .seconds(1))
        layer.handle(ok, from: Self.phone, now: .seconds(2))
        let drained = Self.drain(&layer)
        #expect(drained.events == [.responseReceived(ok, transaction: id), .responseReceived(ok, transaction: id)])
        #expect(drained.sends.isEmpty, "the ACK for a 2xx is the dialog's")
        _ = Self.run(&layer, until: 40)
        layer.handle(ok, from: Self.phone, now: .seconds(41))
        #expect(Self.drain(&layer).events == [.responseReceived(ok, transaction: nil)])
    }

    /// INVITE server: 100 Trying at once, retransmitted INVITEs answered from the transaction, a 486 resent
    /// on timer G until the ACK, which is absorbed.
    @Test func inviteServerRetransmitsErrorUntilACK() throws {
        var layer = SIPTransactionLayer()
        let invite = Self.request(.invite, sentBy: "192.0.2.10:5060")
        layer.handle(invite, from: Self.phone, now: .zero)
        let first = Self.drain(&layer)
        #expect(first.sends.first?.message.statusCode == 100)
        guard case .requestReceived(_, _, _, let transaction?) = first.events.first else {
            Issue.record("no request event"); return
        }
        layer.handle(invite, from: Self.phone, now: .seconds(0.3))
        let retransmission = Self.drain(&layer)
        #expect(retransmission.events.isEmpty && retransmission.sends.first?.message.statusCode == 100)
        let received = try #require(layer.request(of: transaction))
        try layer.sendResponse(SIPResponseBuilder.response(to: received, status: 486, toTag: "g1"), in: transaction, now: .seconds(1))
        #expect(Self.drain(&layer).sends.first?.destination == Self.phone)
        let log = Self.run(&layer, until: 8)
        #expect(Self.sendTimes(log) == [1.5, 2.5, 4.5], "timer G: T1, 2T1, 4T1… capped at T2")
        var ack = Self.request(.ack, sentBy: "192.0.2.10:5060")
        ack.set(.to, "<sip:bob@192.0.2.10>;tag=g1")
        layer.handle(ack, from: Self.phone, now: .seconds(9))
        #expect(Self.drain(&layer).events.isEmpty, "the ACK for a non-2xx belongs to the transaction")
        #expect(Self.sendTimes(Self.run(&layer, until: 15)).isEmpty)
        #expect(layer.serverTransactionCount == 0, "timer I (T4) ended it")
    }

    @Test func inviteServerTimerHWithoutACK() throws {
        var layer = SIPTransactionLayer()
        layer.handle(Self.request(.invite, sentBy: "192.0.2.10:5060"), from: Self.phone, now: .zero)
        guard case .requestReceived(let request, _, _, let id?) = Self.drain(&layer).events.first else { return }
        try layer.sendResponse(SIPResponseBuilder.response(to: request, status: 603, toTag: "g"), in: id, now: .zero)
        _ = Self.drain(&layer)
        let log = Self.run(&layer, until: 100)
        #expect(Self.sendTimes(log) == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5])
        #expect(log.last.map { $0.0 == 32 && $0.1 == .timedOut(id) } == true)
    }

    /// RFC 6026: the 2xx is resent until the ACK (own branch) arrives; the ACK goes to the user.
    @Test func inviteServerRetransmits2xxUntilItsACK() throws {
        var layer = SIPTransactionLayer()
        layer.handle(Self.request(.invite, sentBy: "192.0.2.10:5060"), from: Self.phone, now: .zero)
        guard case .requestReceived(let request, _, _, let id?) = Self.drain(&layer).events.first else { return }
        try layer.sendResponse(SIPResponseBuilder.response(to: request, status: 200, toTag: "g"), in: id, now: .zero)
        _ = Self.drain(&layer)
        #expect(Self.sendTimes(Self.run(&layer, until: 2)) == [0.5, 1.5])
        #expect(throws: SIPError.self) { try layer.sendResponse(SIPResponseBuilder.response(to: request, status: 500), in: id, now: .seconds(2)) }
        var ack = Self.request(.ack, branch: "z9hG4bKack2", sentBy: "192.0.2.10:5060")
        ack.set(.to, "<sip:bob@192.0.2.10>;tag=g")
        layer.handle(ack, from: Self.phone, now: .seconds(2))
        guard case .requestReceived(let received, _, _, nil) = Self.drain(&layer).events.first else {
            Issue.record("ACK not passed up without a transaction"); return
        }
        #expect(received.method == .ack)
        let log = Self.run(&layer, until: 100)
        #expect(Self.sendTimes(log).isEmpty && !log.contains { $0.1 == .timedOut(id) })
        #expect(layer.serverTransactionCount == 0)
    }

    /// Non-INVITE server: a retransmission before the response is absorbed, after it gets the response
    /// again; after timer J the same branch is a new request.
    @Test func nonInviteServerAbsorbsRetransmissions() throws {
        var layer = SIPTransactionLayer()
        let options = Self.request(.options, sentBy: "192.0.2.10:5060")
        layer.handle(options, from: Self.phone, now: .zero)
        guard case .requestReceived(let request, _, _, let id?) = Self.drain(&layer).events.first else { return }
        layer.handle(options, from: Self.phone, now: .seconds(0.5))
        let absorbed = Self.drain(&layer)
        #expect(absorbed.events.isEmpty && absorbed.sends.isEmpty)
        try layer.sendResponse(SIPResponseBuilder.response(to: request, status: 200, toTag: "o"), in: id, now: .seconds(1))
        #expect(Self.drain(&layer).sends.count == 1)
        layer.handle(options, from: Self.phone, now: .seconds(2))
        let again = Self.drain(&layer)
        #expect(again.events.isEmpty && again.sends.first?.message.statusCode == 200)
        #expect(layer.nextTimeout() == .seconds(33), "timer J: 64 * T1")
        _ = Self.run(&layer, until: 33)
        layer.handle(options, from: Self.phone, now: .seconds(34))
        #expect(Self.drain(&layer).events.count == 1)
    }

    /// RFC 3581 and RFC 3261 section 18.2.2: a NATed phone's Via gets received and rport, and the response
    /// goes to the address the request came from.
    @Test func responsesFollowReceivedAndRport() throws {
        var layer = SIPTransactionLayer()
        let nat = TransportAddress(ipv4: 203, 0, 113, 7, port: 40312)
        var options = Self.request(.options, sentBy: "10.0.0.5:5070")
        options.set(.via, "SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKnat;rport, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKinner")
        layer.handle(options, from: nat, now: .zero)
        guard case .requestReceived(let request, let source, _, let id?) = Self.drain(&layer).events.first else { return }
        #expect(source == nat)
        let vias = try request.vias()
        #expect(vias.count == 2 && vias[0].rport == .value(40312) && vias[0].received == "203.0.113.7")
        #expect(vias[1].received == nil)
        try layer.sendResponse(SIPResponseBuilder.response(to: request, status: 200), in: id, now: .zero)
        let sent = try #require(Self.drain(&layer).sends.first)
        #expect(sent.destination == nat)
        #expect(sent.message[.via]?.contains("rport=40312;received=203.0.113.7") == true)
        // Without rport, a sent-by other than the source gets received, and the sent-by port.
        var plain = Self.request(.options, branch: "z9hG4bKplain", sentBy: "10.0.0.5:5070")
        plain.set(.callID, "call-2@test")
        layer.handle(plain, from: nat, now: .zero)
        guard case .requestReceived(let stamped, _, _, let plainID?) = Self.drain(&layer).events.first else { return }
        try layer.sendResponse(SIPResponseBuilder.response(to: stamped, status: 200), in: plainID, now: .zero)
        #expect(Self.drain(&layer).sends.first?.destination == TransportAddress(ipv4: 203, 0, 113, 7, port: 5070))
    }

    /// Over TCP the server never retransmits, a 2xx still waits for its ACK (timer L), and a non-INVITE
    /// transaction ends at once (J = 0). Messages come from the stream framer.
    @Test func serverTransactionsOverTCP() throws {
        var layer = SIPTransactionLayer()
        var framer = SIPStreamFramer()
        let invite = Self.request(.invite, transport: "TCP", sentBy: "192.0.2.10:5060")
        let options = Self.request(.options, branch: "z9hG4bKopt", transport: "TCP", sentBy: "192.0.2.10:5060")
        framer.append(try invite.serialized() + Array("\r\n\r\n".utf8) + options.serialized())
        while let message = try framer.nextMessage() { layer.handle(message, from: Self.phone, transport: .tcp, now: .zero) }
        let drained = Self.drain(&layer)
        #expect(drained.sends.map { $0.message.statusCode } == [100] && drained.events.count == 2)
        #expect(drained.sends.first?.transport == .tcp && drained.sends.first?.destination == Self.phone)
        var ids: [SIPTransactionID] = []
        for case .requestReceived(_, _, .tcp, let id?) in drained.events { ids.append(id) }
        try #require(ids.count == 2)
        try layer.sendResponse(SIPResponseBuilder.response(to: invite, status: 200, toTag: "t"), in: ids[0], now: .zero)
        try layer.sendResponse(SIPResponseBuilder.response(to: options, status: 200, toTag: "o"), in: ids[1], now: .zero)
        _ = Self.drain(&layer)
        let log = Self.run(&layer, until: 100)
        #expect(Self.sendTimes(log).isEmpty)
        #expect(log.map(\.1) == [.timedOut(ids[0])], "no ACK for the 2xx within 64*T1")
        #expect(layer.serverTransactionCount == 0)
    }

    @Test func cancelIsItsOwnTransactionAndFindsItsInvite() throws {
        var layer = SIPTransactionLayer()
        layer.handle(Self.request(.invite, sentBy: "192.0.2.10:5060"), from: Self.phone, now: .zero)
        guard case .requestReceived(_, _, _, let inviteID?) = Self.drain(&layer).events.first else { return }
        layer.handle(Self.request(.cancel, sentBy: "192.0.2.10:5060"), from: Self.phone, now: .seconds(1))
        guard case .requestReceived(let cancel, _, _, let cancelID?) = Self.drain(&layer).events.first else {
            Issue.record("CANCEL not passed up"); return
        }
        #expect(cancel.method == .cancel && cancelID != inviteID)
        #expect(layer.inviteTransaction(cancelledBy: cancelID) == inviteID)
    }

    @Test func invalidRequestsGetA400AndDroppedEvent() throws {
        var layer = SIPTransactionLayer()
        var bad = Self.request(.options, sentBy: "192.0.2.10:5060")
        bad.set(.cseq, "1 INVITE")
        layer.handle(bad, from: Self.phone, now: .zero)
        let drained = Self.drain(&layer)
        #expect(drained.sends.first?.message.statusCode == 400)
        guard case .dropped = drained.events.first else { Issue.record("no dropped event"); return }
        layer.handle(bytes: Array("garbage".utf8), from: Self.phone, now: .zero)
        guard case .dropped = Self.drain(&layer).events.first else { Issue.record("no dropped event"); return }
    }

    /// RFC 3261 section 18.3: a datagram request whose Content-Length is negative or runs past the datagram
    /// gets 400 (its head reads); a response in the same state is only dropped.
    @Test func unframedBodiesGetA400() throws {
        var layer = SIPTransactionLayer()
        var head: [UInt8] = []
        try Self.request(.invite, sentBy: "192.0.2.10:5060").write(into: &head)
        for length in ["-5", "99999", "4294967296"] {
            var text = String(decoding: head, as: UTF8.self)
            text = text.replacingOccurrences(of: "Content-Length: 0", with: "Content-Length: \(length)") + "v=0\r\n"
            layer.handle(bytes: Array(text.utf8), from: Self.phone, now: .zero)
            let drained = Self.drain(&layer)
            #expect(drained.sends.map { $0.message.statusCode } == [400], "Content-Length \(length)")
            #expect(drained.sends.first?.message[.callID] == "call-1@test")
        }
        let response = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx\r\nContent-Length: 50\r\n\r\n"
        layer.handle(bytes: Array(response.utf8), from: Self.phone, now: .zero)
        let drained = Self.drain(&layer)
        #expect(drained.sends.isEmpty)
        guard case .dropped = drained.events.first else { Issue.record("no dropped event"); return }
    }

    @Test func serverTransactionTableIsBounded() {
        var layer = SIPTransactionLayer(maximumServerTransactions: 3)
        for index in 0..<5 {
            layer.handle(Self.request(.options, branch: "z9hG4bKflood\(index)", sentBy: "192.0.2.10:5060"), from: Self.phone, now: .zero)
        }
        let drained = Self.drain(&layer)
        #expect(layer.serverTransactionCount == 3)
        #expect(drained.events.filter { if case .dropped = $0 { return true } else { return false } }.count == 2)
    }

    @Test func transportErrorEndsTheTransaction() throws {
        var layer = SIPTransactionLayer()
        let id = try layer.sendRequest(Self.request(.options), to: Self.phone, now: .zero)
        _ = Self.drain(&layer)
        layer.handleTransportError(for: id)
        #expect(Self.drain(&layer).events == [.transportError(id)])
        #expect(layer.nextTimeout() == nil)
        #expect(throws: SIPError.self) { try layer.sendRequest(Self.request(.options, branch: "nocookie"), to: Self.phone, now: .zero) }
    }
}
