@testable import BridgeGateway
import BridgeCore
import Testing

@Suite struct LogThrottleTests {
    /// A flood of refusals: one line per reason per interval, the held-back ones counted in the next line.
    @Test func oneLinePerReasonPerIntervalWithTheHeldBackCounted() {
        var throttle = LogThrottle(interval: .seconds(10))
        let start = MonotonicInstant(nanoseconds: 1_000_000_000)
        #expect(throttle.admit("route_full", now: start) == (true, 0))
        for step in 1...50 {
            #expect(throttle.admit("route_full", now: start + .milliseconds(step * 100)).log == false)
        }
        #expect(throttle.admit("overloaded", now: start + .seconds(1)) == (true, 0), "another reason has its own line")
        #expect(throttle.admit("route_full", now: start + .seconds(10)) == (true, 50))
        #expect(throttle.admit("route_full", now: start + .seconds(11)).log == false)
        #expect(throttle.admit("route_full", now: start + .seconds(30)) == (true, 1))
    }
}
