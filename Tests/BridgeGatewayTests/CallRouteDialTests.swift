@testable import BridgeGateway
import BridgeDTLS
import BridgeSDP
import Foundation
import Logging
import Testing

/// A page's dial on a call route: the RTP ports go back when the call cannot be placed, and two dials at
/// once leave one call, not an orphan.
@Suite(.serialized) struct CallRouteDialTests {
    /// Places every call after a pause (so that a second dial can arrive meanwhile), or refuses them all.
    final class TestPlacer: SIPCallPlacer, @unchecked Sendable {
        let refuse: Bool
        private let lock = NSLock()
        private var count = 0
        var placed: Int { lock.withLock { count } }

        init(refuse: Bool) { self.refuse = refuse }

        func placeCall(route: String, to target: String, offer: SessionDescription, observer: any SIPCallObserver)
            throws(SIPCallFailure) -> any SIPCallControl
        {
            if refuse { throw SIPCallFailure("refused by the test") }
            lock.withLock { count += 1 }
            return TestControl()
        }
    }

    final class TestControl: SIPCallControl, @unchecked Sendable {
        let id = SIPCallID("test-call")
        let caller = "test"
        let remoteOffer: SessionDescription? = nil
        func observe(_ observer: any SIPCallObserver) {}
        func ring() {}
        func answer(sdp: SessionDescription) {}
        func reject(status: Int) {}
        func hangUp() {}
        func reoffer(sdp: SessionDescription) {}
        func sendInfoDTMF(_ digit: Character, durationMilliseconds: Int) {}
    }

    static var browserOffer: String {
        get throws { try String(contentsOfFile: Fixtures.path("sdp/chromium-call-offer.sdp"), encoding: .utf8) }
    }

    /// A route with exactly one RTP port pair, its page, and the messages the page received.
    func withRoute(placer: TestPlacer, _ body: (CallRoute, Int, AsyncStream<CallMessage>) async throws -> Void) async throws {
        let server = try await WebRTCTransportServer.bind(host: "127.0.0.1", port: 0, advertise: ["127.0.0.1"], certificate: DTLSCertificate.generate())
        var settings = CallRoute.Settings(name: "desk")
        // Below the kernel's ephemeral range (32768 and up), where any test's socket bound to port 0 may land.
        let base = 24_000 + Int.random(in: 0..<4_000) * 2
        settings.rtpPorts = base...(base + 1)
        settings.maxPages = 2
        let route = CallRoute(settings: settings, server: server, logger: Logger(label: "test"))
        await route.setPlacer(placer)
        let (stream, continuation) = AsyncStream<CallMessage>.makeStream()
        let page = try #require(await route.attach(continuation))
        try await body(route, page, stream)
        await route.detach(page)
        await server.close()
    }

    func next(_ iterator: inout AsyncStream<CallMessage>.Iterator, skipping: Set<String> = ["hello"]) async -> CallMessage? {
        while let message = await iterator.next() {
            if !skipping.contains(message.type) { return message }
        }
        return nil
    }

    @Test func aDialThatCannotBePlacedGivesItsPortsBack() async throws {
        try await withRoute(placer: TestPlacer(refuse: true)) { route, page, stream in
            var messages = stream.makeAsyncIterator()
            // One port pair in the range: a leak would make the second dial fail on ports, not on the placer.
            for _ in 0..<3 {
                await route.handle(CallMessage("dial", sdp: try Self.browserOffer, target: "100"), from: page)
                let ended = await next(&messages)
                #expect(ended?.type == "ended")
                #expect(ended?.reason == "refused by the test", "\(String(describing: ended))")
            }
        }
    }

    @Test func aRouteTakesAtMostMaxPagesPages() async throws {
        try await withRoute(placer: TestPlacer(refuse: true)) { route, _, _ in
            let (_, second) = AsyncStream<CallMessage>.makeStream()
            let (_, third) = AsyncStream<CallMessage>.makeStream()
            let page = try #require(await route.attach(second))
            #expect(await route.attach(third) == nil)
            await route.detach(page)
            #expect(await route.attach(third) != nil)
        }
    }

    @Test func twoDialsAtOnceMakeOneCall() async throws {
        let placer = TestPlacer(refuse: false)
        try await withRoute(placer: placer) { route, page, stream in
            let offer = try Self.browserOffer
            async let first: Void = route.handle(CallMessage("dial", sdp: offer, target: "100"), from: page)
            async let second: Void = route.handle(CallMessage("dial", sdp: offer, target: "200"), from: page)
            _ = await (first, second)
            var messages = stream.makeAsyncIterator()
            let replies = [await next(&messages), await next(&messages)].compactMap { $0?.type }.sorted()
            #expect(replies == ["error", "progress"])
            #expect(placer.placed == 1)
        }
    }
}
