@testable import BridgeGateway
import BridgeCore
import Testing

/// Which datagrams leave as one GSO write: equal segments to one destination, the last may be shorter.
@Suite struct GSOBurstTests {
    static let viewer = TransportAddress(ipv4: 192, 0, 2, 1, port: 5000)
    static let other = TransportAddress(ipv4: 192, 0, 2, 2, port: 5000)

    @Test func aFramesFragmentsMakeOneRunWithAShorterLast() {
        var burst = GSOBurst()
        #expect(burst.add(size: 1200, to: Self.viewer) == .started(closed: nil))
        for _ in 0..<4 { #expect(burst.add(size: 1200, to: Self.viewer) == .joined) }
        #expect(burst.add(size: 700, to: Self.viewer) == .joined)
        // Nothing may follow a shorter segment: the next datagram starts a new run.
        let closed = GSOBurst.Run(destination: Self.viewer, segmentSize: 1200, count: 6, byteCount: 5 * 1200 + 700)
        #expect(burst.add(size: 1200, to: Self.viewer) == .started(closed: closed))
        #expect(burst.finish()?.count == 1)
        #expect(burst.finish() == nil)
    }

    @Test func aLongerDatagramOrAnotherDestinationStartsANewRun() {
        var burst = GSOBurst()
        _ = burst.add(size: 40, to: Self.viewer)
        guard case .started(let sps) = burst.add(size: 1200, to: Self.viewer) else { Issue.record("joined"); return }
        #expect(sps?.count == 1 && sps?.byteCount == 40, "the SPS alone, then the slice's fragments")
        guard case .started(let slice) = burst.add(size: 1200, to: Self.other) else { Issue.record("joined"); return }
        #expect(slice?.count == 1 && slice?.destination == Self.viewer)
        #expect(burst.finish()?.destination == Self.other)
    }

    @Test func aRunStopsAtTheKernelsSegmentAndSizeLimits() {
        var burst = GSOBurst()
        var runs: [GSOBurst.Run] = []
        for _ in 0..<100 { if case .started(let closed?) = burst.add(size: 200, to: Self.viewer) { runs.append(closed) } }
        if let run = burst.finish() { runs.append(run) }
        #expect(runs.map(\.count) == [64, 36])
        var big = GSOBurst()
        var sizes: [Int] = []
        for _ in 0..<60 { if case .started(let closed?) = big.add(size: 1400, to: Self.viewer) { sizes.append(closed.byteCount) } }
        #expect(sizes.first.map { $0 <= GSOBurst.maximumBytes } == true)
        #expect(sizes.first == 46 * 1400)
    }
}
