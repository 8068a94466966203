import NIOCore
import NIOPosix
import SwarmSupport

/// The calls that live on one event loop: one repeated task every `tickInterval` sends each call's due
/// media (calls are spread over the 20 ms period so that the gateway does not get every packet at once)
/// and, every fifth tick, runs the browser sessions' timers (ICE checks and consent, DTLS retransmission).
final class CallGroup {
    static let tickInterval = TimeAmount.milliseconds(2)
    static let timerEvery = 5

    let eventLoop: any EventLoop
    let payloads: TonePayloads
    let browserPayloads: [[UInt8]]
    private(set) var calls: [BenchCall] = []
    private var ticker: RepeatedTask?
    private var ticks = 0
    /// Received counts at the window mark, per call (for stalls).
    private var marks: [ObjectIdentifier: (down: Int, up: Int)] = [:]

    init(eventLoop: any EventLoop, payloads: TonePayloads, mode: CallMode) {
        self.eventLoop = eventLoop
        self.payloads = payloads
        browserPayloads = payloads.browser(mode)
    }

    /// A group per loop of `group`, each bound to its loop and ticking.
    static func make(on group: MultiThreadedEventLoopGroup, payloads: TonePayloads, mode: CallMode) async throws -> [NIOLoopBound<CallGroup>] {
        var groups: [NIOLoopBound<CallGroup>] = []
        for loop in group.makeIterator() {
            groups.append(try await loop.submit {
                let callGroup = CallGroup(eventLoop: loop, payloads: payloads, mode: mode)
                let bound = NIOLoopBound(callGroup, eventLoop: loop)
                callGroup.ticker = loop.scheduleRepeatedTask(initialDelay: tickInterval, delay: tickInterval) { _ in
                    bound.value.tick()
                }
                return bound
            }.get())
        }
        return groups
    }

    /// A new call on this group's loop.
    static func addCall(to bound: NIOLoopBound<CallGroup>, index: Int, mode: CallMode) async throws -> NIOLoopBound<BenchCall> {
        try await bound.eventLoop.submit {
            let call = BenchCall(index: index, mode: mode, eventLoop: bound.eventLoop)
            bound.value.calls.append(call)
            return NIOLoopBound(call, eventLoop: bound.eventLoop)
        }.get()
    }

    func tick() {
        ticks &+= 1
        let now = NIODeadline.now()
        if ticks % Self.timerEvery == 0 {
            let instant = SwarmViewer.now()
            for call in calls { call.browser?.tick(now: instant) }
        }
        for call in calls {
            if call.mediaStart == nil, let browser = call.browser, browser.session.isConnected, call.phoneRTP?.hasDestination == true {
                // Spread over the 20 ms period by index.
                call.mediaStart = now + .milliseconds(Int64(call.index % 10) * 2)
            }
            if let start = call.mediaStart, start <= now {
                call.sendMedia(now: now, payloads: payloads, browserPayloads: browserPayloads)
            }
        }
    }

    func markWindow() {
        marks = Dictionary(uniqueKeysWithValues: calls.map {
            (ObjectIdentifier($0), (down: $0.browser?.loss.received ?? 0, up: $0.phoneRTP?.loss.received ?? 0))
        })
    }

    var snapshot: CallSnapshot {
        calls.reduce(CallSnapshot()) { total, call in
            var one = CallSnapshot(calls: 1)
            let up = call.mediaStart != nil
            one.up = up ? 1 : 0
            if let browser = call.browser {
                one.downReceived = browser.loss.received
                one.downExpected = browser.loss.expected
                one.upSent = browser.sent
                one.browserDrops = browser.session.drops
            }
            if let phone = call.phoneRTP {
                one.downSent = phone.sent
                one.upReceived = phone.loss.received
                one.upExpected = phone.loss.expected
            }
            if up, let mark = marks[ObjectIdentifier(call)] {
                one.downStalled = one.downReceived == mark.down ? 1 : 0
                one.upStalled = one.upReceived == mark.up ? 1 : 0
            }
            return total + one
        }
    }

    /// Why calls failed to come up, with counts.
    var failures: [String: Int] {
        calls.reduce(into: [:]) { counts, call in
            if let failure = call.failure { counts[failure, default: 0] += 1 }
        }
    }

    func stop() {
        ticker?.cancel()
        ticker = nil
    }

    func closeAll() {
        stop()
        for call in calls { call.close() }
        calls.removeAll()
    }
}
