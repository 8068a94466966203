import BridgeCore
import BridgeSIP
import Testing

@Suite struct SIPAuthFailureLimiterTests {
    static let attacker = TransportAddress(ipv4: 203, 0, 113, 7, port: 5060)

    @Test func blocksAfterTheLimitWithinTheWindowUntilTheWindowPasses() {
        var limiter = SIPAuthFailureLimiter(limit: 10, window: .seconds(60))
        for second in 0..<9 {
            limiter.recordFailure(from: Self.attacker, now: .seconds(Double(second)))
            #expect(!limiter.isBlocked(Self.attacker, now: .seconds(Double(second))))
        }
        // Another port, the same address: the tenth failure.
        #expect(limiter.recordFailure(from: TransportAddress(ipv4: 203, 0, 113, 7, port: 40000), now: .seconds(9)) == 10)
        #expect(limiter.isBlocked(Self.attacker, now: .seconds(9)))
        #expect(limiter.isBlocked(Self.attacker, now: .seconds(68.9)))
        #expect(!limiter.isBlocked(TransportAddress(ipv4: 203, 0, 113, 8, port: 5060), now: .seconds(10)), "other addresses unaffected")
        #expect(!limiter.isBlocked(Self.attacker, now: .seconds(69)))
        #expect(limiter.recordFailure(from: Self.attacker, now: .seconds(70)) == 1, "a new window after the block")
    }

    @Test func failuresSpreadOverMoreThanTheWindowDoNotBlock() {
        var limiter = SIPAuthFailureLimiter(limit: 3, window: .seconds(60))
        limiter.recordFailure(from: Self.attacker, now: .seconds(0))
        limiter.recordFailure(from: Self.attacker, now: .seconds(30))
        #expect(limiter.recordFailure(from: Self.attacker, now: .seconds(61)) == 1)
        #expect(!limiter.isBlocked(Self.attacker, now: .seconds(61)))
    }

    /// A flood from many addresses keeps the table at its capacity, and a blocked address stays blocked.
    @Test func tableIsBoundedAndKeepsBlockedAddresses() {
        var limiter = SIPAuthFailureLimiter(limit: 2, window: .seconds(60), capacity: 8)
        limiter.recordFailure(from: Self.attacker, now: .seconds(0))
        limiter.recordFailure(from: Self.attacker, now: .seconds(0))
        for index in 0..<1000 {
            let source = TransportAddress(ipv4: 198, 51, UInt8(index / 256), UInt8(index % 256), port: 5060)
            limiter.recordFailure(from: source, now: .seconds(1))
        }
        #expect(limiter.count == 8)
        #expect(limiter.isBlocked(Self.attacker, now: .seconds(2)))
    }
}
