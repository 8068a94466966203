import BridgeCore
import BridgeRTP
import Testing

@Suite struct TelephonyTests {
    @Test func telephoneEventRoundTrip() throws {
        let event = TelephoneEvent(event: 11, isEnd: true, volume: 10, duration: 1600)
        #expect(event.payload == [11, 0x8A, 0x06, 0x40])
        #expect(TelephoneEvent(payload: event.payload) == event)
        #expect(TelephoneEvent(payload: [1, 2, 3]) == nil)
        #expect(TelephoneEvent.code(for: "#") == 11)
        #expect(TelephoneEvent.code(for: "7") == 7)
        #expect(TelephoneEvent.code(for: "x") == nil)
        #expect(TelephoneEvent.digit(for: 10) == "*")
        #expect(TelephoneEvent.digit(for: 200) == nil)
    }

    @Test func aDigitIsStartUpdatesAndThreeEnds() {
        let packets = TelephoneEvent.packets(code: 5, durationMilliseconds: 160)
        #expect(packets.first?.marker == true)
        #expect(packets.filter(\.marker).count == 1)
        #expect(packets.map(\.event.duration) == [400, 800, 1200, 1280, 1280, 1280])
        #expect(packets.suffix(3).allSatisfy { $0.event.isEnd })
        #expect(packets.dropLast(3).allSatisfy { !$0.event.isEnd })
    }

    /// 1.5 s at 48 kHz is beyond the 16-bit duration: the updates stop at 65535 instead of wrapping forever.
    @Test func aLongDigitAt48kHzEnds() {
        let packets = TelephoneEvent.packets(code: 1, durationMilliseconds: 1_500, clockRate: 48_000)
        let durations = packets.map(\.event.duration)
        #expect(durations.suffix(3) == [65_535, 65_535, 65_535])
        #expect(zip(durations, durations.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(packets.count == 27 + 3)
    }

    /// A clock slower than 20 Hz makes a 50 ms step of zero ticks; the digit still ends.
    @Test func aSlowEventClockEnds() {
        let packets = TelephoneEvent.packets(code: 1, durationMilliseconds: 500, clockRate: 10)
        #expect(packets.map(\.event.duration) == [1, 2, 3, 4, 5, 5, 5])
    }
}
