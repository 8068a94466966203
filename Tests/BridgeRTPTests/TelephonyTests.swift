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

    let sdpAddress = TransportAddress("192.0.2.10", port: 4000)!
    let natAddress = TransportAddress("198.51.100.7", port: 31_000)!
    let stray = TransportAddress("203.0.113.66", port: 5555)!

    @Test func packetsFromTheSDPAddressLatchAtOnce() {
        var latch = SymmetricRTPLatch(expected: sdpAddress)
        #expect(latch.destination == sdpAddress)
        do { let accepted = latch.accept(from: sdpAddress, ssrc: 1); #expect(accepted) }
        #expect(latch.latched == sdpAddress)
        do { let accepted = latch.accept(from: stray, ssrc: 1); #expect(!accepted, "never a stray source mid-call") }
        #expect(latch.dropped == 1)
    }

    @Test func behindNATItLatchesAfterAFewPacketsWithOneSSRC() {
        var latch = SymmetricRTPLatch(expected: sdpAddress, requiredPackets: 3)
        do { let accepted = latch.accept(from: natAddress, ssrc: 7); #expect(!accepted) }
        do { let accepted = latch.accept(from: natAddress, ssrc: 8); #expect(!accepted, "another SSRC starts the count again") }
        do { let accepted = latch.accept(from: natAddress, ssrc: 8); #expect(!accepted) }
        do { let accepted = latch.accept(from: natAddress, ssrc: 8); #expect(accepted) }
        #expect(latch.destination == natAddress)
        do { let accepted = latch.accept(from: sdpAddress, ssrc: 8); #expect(!accepted, "latched: even the SDP address is refused now") }
        latch.reset(expected: stray)
        #expect(latch.destination == stray)
        do { let accepted = latch.accept(from: stray, ssrc: 9); #expect(accepted) }
    }
}
