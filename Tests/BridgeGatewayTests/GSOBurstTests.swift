@testable import BridgeGateway
import BridgeCore
import Testing

/// Which datagrams leave as one GSO write: equal segments to one destination, the last may be shorter.
@Suite struct GSOBurstTests {
    static let viewer = TransportAddress(ipv4: 192, 0, 2, 1, port: 5000)
    static let other = TransportAddress(ipv4: 192, 0, 2, 2, port: 5000)

    func packet(_ size: Int, _ fill: UInt8 = 1) -> [UInt8] { [UInt8](repeating: fill, count: size) }

    @Test func aFramesFragmentsMakeOneRunWithAShorterLast() {
        var burst = GSOBurst()
        for _ in 0..<5 { #expect(burst.add(packet(1200), to: Self.viewer) == nil) }
        #expect(burst.add(packet(700), to: Self.viewer) == nil)
        // Nothing may follow a shorter segment: the next datagram starts a new run.
        let closed = burst.add(packet(1200), to: Self.viewer)
        #expect(closed?.count == 6 && closed?.segmentSize == 1200 && closed?.bytes.count == 5 * 1200 + 700)
        #expect(burst.finish()?.count == 1)
        #expect(burst.finish() == nil)
    }

    @Test func aLongerDatagramOrAnotherDestinationStartsANewRun() {
        var burst = GSOBurst()
        _ = burst.add(packet(40), to: Self.viewer)
        #expect(burst.add(packet(1200), to: Self.viewer)?.count == 1, "the SPS alone, then the slice's fragments")
        #expect(burst.add(packet(1200), to: Self.other)?.count == 1)
        #expect(burst.finish()?.destination == Self.other)
    }

    @Test func aRunStopsAtTheKernelsSegmentAndSizeLimits() {
        var burst = GSOBurst()
        var runs: [GSOBurst.Run] = []
        for _ in 0..<100 { if let run = burst.add(packet(200), to: Self.viewer) { runs.append(run) } }
        if let run = burst.finish() { runs.append(run) }
        #expect(runs.map(\.count) == [64, 36])
        var big = GSOBurst()
        var sizes: [Int] = []
        for _ in 0..<60 { if let run = big.add(packet(1400), to: Self.viewer) { sizes.append(run.bytes.count) } }
        #expect(sizes.first.map { $0 <= GSOBurst.maximumBytes } == true)
        #expect(sizes.first == 46 * 1400)
    }
}
