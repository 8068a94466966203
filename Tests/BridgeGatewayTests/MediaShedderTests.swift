import BridgeCore
@testable import BridgeGateway
import Testing

@Suite struct MediaShedderTests {
    let start = MonotonicInstant(nanoseconds: 1_000_000_000)

    @Test func framesOnTimeOrSlightlyLateServeEveryone() {
        var shedder = MediaShedder()
        #expect(shedder.admit(late: .milliseconds(5), viewers: 400, now: start) == 400)
        #expect(shedder.admit(late: .milliseconds(150), viewers: 400, now: start) == 400, "a keyframe's fan-out delays the next frame")
        #expect(!shedder.isShedding)
    }

    @Test func lateFramesShedTheNewestViewersThenTheyComeBackAFewAtATime() {
        var shedder = MediaShedder()
        #expect(shedder.admit(late: .milliseconds(600), viewers: 400, now: start) == 300)
        #expect(shedder.admit(late: .milliseconds(700), viewers: 400, now: start + .milliseconds(40)) == 300,
                "frames queued behind the same backlog cut once")
        #expect(shedder.admit(late: .milliseconds(500), viewers: 400, now: start + .milliseconds(150)) == 225)
        #expect(shedder.isShedding)
        #expect(shedder.admit(late: .milliseconds(150), viewers: 400, now: start + .milliseconds(340)) == 225, "between the marks: hold")
        #expect(shedder.admit(late: .milliseconds(10), viewers: 400, now: start + .milliseconds(380)) == 250)
        var served = 250
        for _ in 0..<20 where shedder.isShedding { served = shedder.admit(late: .milliseconds(10), viewers: 400, now: start + .seconds(1)) }
        #expect(served == 400 && !shedder.isShedding)
    }

    @Test func atLeastTheOldestViewerIsServed() {
        var shedder = MediaShedder()
        for step in 0..<50 { _ = shedder.admit(late: .seconds(2), viewers: 10, now: start + .seconds(step)) }
        #expect(shedder.admit(late: .seconds(2), viewers: 10, now: start + .seconds(60)) == 1)
        #expect(shedder.admit(late: .seconds(2), viewers: 0, now: start + .seconds(61)) == 0)
    }
}
