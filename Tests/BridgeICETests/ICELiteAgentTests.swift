import BridgeCore
@testable import BridgeICE
import BridgeSTUN
import Testing

@Suite struct ICELiteAgentTests {
    static let local = ICELiteAgent.Credentials(ufrag: "srvU", pwd: "server-password-0123456789")
    static let remote = ICELiteAgent.Credentials(ufrag: "brwU", pwd: "browser-password-0123456789")
    static let browser = TransportAddress(ipv4: 192, 0, 2, 10, port: 50000)
    static let otherPath = TransportAddress(ipv4: 198, 51, 100, 7, port: 40000)
    let start = MonotonicInstant(nanoseconds: 1_000_000_000)

    /// A browser's Binding request as Chromium sends it (ICE-CONTROLLING, PRIORITY, optional USE-CANDIDATE).
    static func check(username: String = "srvU:brwU", key: String = local.pwd, useCandidate: Bool = false, fingerprint: Bool = true,
                      transactionID: STUNTransactionID = .random()) -> STUNMessage {
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: transactionID)
        builder.appendUsername(username)
        builder.appendICEControlling(0x1234_5678_9ABC_DEF0)
        builder.appendPriority(1_845_501_695)
        if useCandidate { builder.appendUseCandidate() }
        builder.appendMessageIntegrity(key: Array(key.utf8))
        if fingerprint { builder.appendFingerprint() }
        // The builder's own output, not outside data.
        return try! STUNMessage(parsing: builder.message)
    }

    func agent() -> ICELiteAgent {
        ICELiteAgent(local: Self.local, remote: Self.remote, now: start)
    }

    @Test func answersAValidCheckWithTheSourceAddress() throws {
        var agent = agent()
        let request = Self.check()
        guard case .respond(let bytes) = agent.handleSTUN(request, from: Self.browser, now: start) else {
            Issue.record("no response"); return
        }
        let response = try STUNMessage(parsing: bytes)
        #expect(response.type == .bindingSuccess)
        #expect(response.transactionID == request.transactionID)
        #expect(response.xorMappedAddress == Self.browser)
        #expect(STUNIntegrity.hasValidIntegrity(response, key: Array(Self.local.pwd.utf8)))
        #expect(STUNIntegrity.hasValidFingerprint(response))
        #expect(agent.isValidated(Self.browser))
        // Peer-reflexive: the address was in no candidate, yet it is now the media destination.
        #expect(agent.selectedAddress == Self.browser)
        #expect(agent.pollEvent() == .selectedAddressChanged(Self.browser))
        #expect(agent.state == .connected)
    }

    @Test(arguments: [
        ("srvU:brwU", "wrong-password", true, ICELiteAgent.DropReason.badIntegrity),
        ("other:brwU", local.pwd, true, .badUsername),
        ("srvU:someoneElse", local.pwd, true, .badUsername),
        ("srvU", local.pwd, true, .badUsername),
        ("srvU:brwU", local.pwd, false, .badFingerprint),
    ])
    func invalidChecksAreDroppedAndTeachNothing(username: String, key: String, fingerprint: Bool, reason: ICELiteAgent.DropReason) {
        var agent = agent()
        let outcome = agent.handleSTUN(Self.check(username: username, key: key, fingerprint: fingerprint), from: Self.browser, now: start)
        #expect(outcome == .drop(reason))
        #expect(!agent.isValidated(Self.browser))
        #expect(agent.selectedAddress == nil)
        #expect(agent.pollEvent() == nil)
    }

    @Test func nominationSwitchesThePairOnANetworkChange() {
        var agent = agent()
        _ = agent.handleSTUN(Self.check(useCandidate: true), from: Self.browser, now: start)
        #expect(agent.pollEvent() == .selectedAddressChanged(Self.browser))
        // A check without USE-CANDIDATE from another path does not move media.
        _ = agent.handleSTUN(Self.check(), from: Self.otherPath, now: start + .seconds(1))
        #expect(agent.selectedAddress == Self.browser)
        #expect(agent.pollEvent() == nil)
        // The browser nominates the new path (Wi-Fi to mobile): media follows.
        _ = agent.handleSTUN(Self.check(useCandidate: true), from: Self.otherPath, now: start + .seconds(2))
        #expect(agent.selectedAddress == Self.otherPath)
        #expect(agent.pollEvent() == .selectedAddressChanged(Self.otherPath))
    }

    @Test func consentExpiresThirtySecondsAfterTheLastCheck() {
        var agent = agent()
        _ = agent.handleSTUN(Self.check(useCandidate: true), from: Self.browser, now: start)
        _ = agent.pollEvent()
        // Browsers send consent checks every few seconds; each one moves the deadline.
        for second in stride(from: 5, through: 60, by: 5) {
            _ = agent.handleSTUN(Self.check(), from: Self.browser, now: start + .seconds(second))
        }
        #expect(agent.nextTimeout() == start + .seconds(90))
        agent.handleTimeout(now: start + .seconds(89))
        #expect(agent.state == .connected)
        agent.handleTimeout(now: start + .seconds(90))
        #expect(agent.state == .closed)
        #expect(agent.pollEvent() == .closed(reason: "consent expired: no ICE check from 192.0.2.10:50000 for 30.0 seconds"))
        #expect(agent.nextTimeout() == nil)
        #expect(agent.handleSTUN(Self.check(), from: Self.browser, now: start + .seconds(91)) == .drop(.closed))
    }

    @Test func aSessionWithoutAnyCheckClosesToo() {
        var agent = agent()
        #expect(agent.nextTimeout() == start + .seconds(30))
        agent.handleTimeout(now: start + .seconds(30))
        #expect(agent.pollEvent() == .closed(reason: "no ICE connectivity check within 30.0 seconds"))
    }

    @Test func checksWithWrongPasswordDoNotRefreshConsent() {
        var agent = agent()
        _ = agent.handleSTUN(Self.check(useCandidate: true), from: Self.browser, now: start)
        for second in 1...40 {
            _ = agent.handleSTUN(Self.check(key: "forged"), from: Self.browser, now: start + .seconds(second))
        }
        agent.handleTimeout(now: start + .seconds(30))
        #expect(agent.state == .closed)
    }

    @Test func learnedAddressesAreBounded() {
        var agent = agent()
        for port in 0..<ICELiteAgent.maximumAddresses {
            _ = agent.handleSTUN(Self.check(), from: TransportAddress(ipv4: 10, 0, 0, 1, port: UInt16(1000 + port)), now: start)
        }
        #expect(agent.handleSTUN(Self.check(), from: TransportAddress(ipv4: 10, 0, 0, 2, port: 1), now: start) == .drop(.tooManyAddresses))
    }

    @Test func unknownRemoteUfragIsAcceptedUntilTheSDPArrives() {
        var agent = ICELiteAgent(local: Self.local, remote: nil, now: start)
        guard case .respond = agent.handleSTUN(Self.check(username: "srvU:anything"), from: Self.browser, now: start) else {
            Issue.record("check refused"); return
        }
    }

    @Test func aReplayedNominationFromAnotherAddressDoesNotMoveMedia() {
        var agent = agent()
        let nomination = Self.check(useCandidate: true)
        _ = agent.handleSTUN(nomination, from: Self.browser, now: start)
        #expect(agent.pollEvent() == .selectedAddressChanged(Self.browser))
        // Someone who saw the check on the wire sends it again from their own address.
        #expect(agent.handleSTUN(nomination, from: Self.otherPath, now: start + .seconds(1)) == .drop(.replayed))
        #expect(agent.selectedAddress == Self.browser)
        #expect(!agent.isValidated(Self.otherPath))
        #expect(agent.pollEvent() == nil)
    }

    @Test func aRetransmittedCheckIsAnsweredButDoesNotRefreshConsent() {
        var agent = agent()
        let first = Self.check(useCandidate: true)
        _ = agent.handleSTUN(first, from: Self.browser, now: start)
        // The same transaction again from the same address (our answer was lost) gets the same answer…
        guard case .respond = agent.handleSTUN(first, from: Self.browser, now: start + .seconds(20)) else {
            Issue.record("retransmission not answered"); return
        }
        // …but consent needs fresh transactions: replaying one check does not keep media flowing.
        agent.handleTimeout(now: start + .seconds(30))
        #expect(agent.state == .closed)
    }

    @Test func theRingForgetsOnlyTheOldestTransactions() {
        var ring = RecentSTUNTransactions()
        let ids = (0..<(RecentSTUNTransactions.capacity + 1)).map { STUNTransactionID(high: UInt64($0), low: 7) }
        for id in ids { ring.insert(id, from: Self.browser) }
        #expect(ring.lookUp(ids[0]) == nil)
        #expect(ring.lookUp(ids[1]) == Self.browser)
        #expect(ring.lookUp(ids[RecentSTUNTransactions.capacity]) == Self.browser)
    }
}
