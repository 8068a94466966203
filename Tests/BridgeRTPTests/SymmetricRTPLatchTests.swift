import BridgeCore
import BridgeRTP
import Testing

/// The symmetric RTP latch against RTP bleed: which sources may become the phone, when, and what an SDP
/// update does to what it learned.
@Suite struct SymmetricRTPLatchTests {
    let publicSDP = TransportAddress("192.0.2.10", port: 4000)!
    let privateSDP = TransportAddress("192.168.1.20", port: 4000)!
    let natAddress = TransportAddress("198.51.100.7", port: 31_000)!
    let sprayer = TransportAddress("203.0.113.66", port: 5555)!

    /// Milliseconds after the start.
    func at(_ milliseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: milliseconds * 1_000_000) }

    /// Feeds `count` packets 20 ms apart from `start`; how many the latch took.
    func feed(_ latch: inout SymmetricRTPLatch, from source: TransportAddress, ssrc: UInt32, count: Int, start: UInt64) -> Int {
        (0..<count).filter { latch.accept(from: source, ssrc: ssrc, now: at(start + UInt64($0) * 20)) }.count
    }

    /// One RTCP packet from `source` through the latch (a mutating call cannot sit inside `#expect`).
    func rtcp(_ latch: inout SymmetricRTPLatch, from source: TransportAddress) -> Bool {
        latch.acceptRTCP(from: source)
    }

    @Test func packetsFromTheSDPAddressLatchAtOnce() {
        var latch = SymmetricRTPLatch(expected: publicSDP)
        #expect(latch.destination == publicSDP)
        #expect(feed(&latch, from: publicSDP, ssrc: 1, count: 1, start: 0) == 1)
        #expect(latch.latched == publicSDP)
        #expect(feed(&latch, from: sprayer, ssrc: 1, count: 1, start: 20) == 0, "never a stray source mid-call")
        #expect(latch.drops[.rtpSourceRejected] == 1)
    }

    @Test func aPublicSDPAddressRefusesEveryOtherHostForever() {
        var latch = SymmetricRTPLatch(expected: publicSDP)
        // A sprayer with one SSRC from one address, for two seconds, before the phone says a word.
        #expect(feed(&latch, from: sprayer, ssrc: 0xBAD, count: 100, start: 0) == 0)
        #expect(latch.latched == nil)
        #expect(latch.destination == publicSDP, "media still goes only to the SDP address")
        #expect(latch.drops[.rtpSourceRejected] == 100)
        #expect(feed(&latch, from: publicSDP, ssrc: 7, count: 1, start: 2_000) == 1)
        #expect(latch.latched == publicSDP)
    }

    @Test func anotherPortOfThePublicHostIsLearnedAfterTheWindow() throws {
        let natPort = try #require(TransportAddress("192.0.2.10", port: 61_000))
        var latch = SymmetricRTPLatch(expected: publicSDP, requiredPackets: 3, learningWindow: .milliseconds(500))
        #expect(feed(&latch, from: natPort, ssrc: 7, count: 25, start: 0) == 0, "the SDP port may still show up in the window")
        #expect(feed(&latch, from: natPort, ssrc: 7, count: 1, start: 500) == 1)
        #expect(latch.latched == natPort)
        #expect(latch.destination == natPort)
    }

    @Test func theSDPAddressBeatsASprayerOnTheSameHostInTheWindow() throws {
        // On loopback (or one private network) every source has the SDP IP: the exact address decides.
        let phone = TransportAddress(ipv4: 127, 0, 0, 1, port: 40_000)
        let samehostSprayer = TransportAddress(ipv4: 127, 0, 0, 1, port: 40_002)
        var latch = SymmetricRTPLatch(expected: phone)
        #expect(feed(&latch, from: samehostSprayer, ssrc: 0xBAD, count: 10, start: 0) == 0, "three packets first do not win")
        #expect(feed(&latch, from: phone, ssrc: 0x5150, count: 1, start: 200) == 1)
        #expect(latch.latched == phone)
        #expect(feed(&latch, from: samehostSprayer, ssrc: 0xBAD, count: 50, start: 220) == 0)
        #expect(latch.latchedSSRC == 0x5150)
    }

    @Test func behindNATAPrivateSDPAddressLearnsTheRealSource() {
        var latch = SymmetricRTPLatch(expected: privateSDP, requiredPackets: 3)
        #expect(feed(&latch, from: natAddress, ssrc: 7, count: 1, start: 0) == 0)
        #expect(feed(&latch, from: natAddress, ssrc: 8, count: 2, start: 500) == 0, "another SSRC starts the count again")
        #expect(feed(&latch, from: natAddress, ssrc: 8, count: 1, start: 540) == 1)
        #expect(latch.destination == natAddress)
        #expect(feed(&latch, from: privateSDP, ssrc: 8, count: 1, start: 560) == 0, "latched: even the SDP address is refused now")
    }

    @Test func aSprayerInterleavingPacketsResetsTheCount() {
        // No SDP address to go by (c=0.0.0.0): learning only, and no window to wait out.
        var latch = SymmetricRTPLatch(expected: TransportAddress(ipv4: 0, 0, 0, 0, port: 4000))
        #expect(latch.destination == nil)
        for round in 0..<5 {
            let start = UInt64(round) * 60
            #expect(feed(&latch, from: natAddress, ssrc: 7, count: 1, start: start) == 0)
            #expect(feed(&latch, from: sprayer, ssrc: 0xBAD, count: 2, start: start + 20) == 0)
        }
        #expect(latch.latched == nil, "neither gets three in a row")
        #expect(feed(&latch, from: natAddress, ssrc: 7, count: 3, start: 400) == 1)
        #expect(latch.latched == natAddress)
    }

    @Test func anSDPUpdateKeepsTheLatchUnlessThePhoneMoved() throws {
        var latch = SymmetricRTPLatch(expected: privateSDP)
        #expect(feed(&latch, from: natAddress, ssrc: 7, count: 30, start: 0) > 0)
        #expect(latch.latched == natAddress)
        latch.phoneMoved(to: privateSDP)
        #expect(latch.latched == natAddress, "a re-INVITE with the same address keeps the latch")
        latch.phoneMoved(to: nil)
        latch.phoneMoved(to: TransportAddress(ipv4: 0, 0, 0, 0, port: 4000))
        #expect(latch.latched == natAddress, "a hold (no address, 0.0.0.0) keeps it too")
        #expect(latch.expected == privateSDP)
        latch.phoneMoved(to: natAddress)
        #expect(latch.latched == natAddress, "the phone now advertises where it already sends from")
        #expect(latch.expected == natAddress)
        let moved = try #require(TransportAddress("192.0.2.99", port: 5000))
        latch.phoneMoved(to: moved)
        #expect(latch.latched == nil)
        #expect(latch.destination == moved)
        #expect(feed(&latch, from: natAddress, ssrc: 7, count: 50, start: 1_000) == 0, "the old address is not the phone any more")
        #expect(feed(&latch, from: moved, ssrc: 9, count: 1, start: 2_000) == 1)
    }

    @Test func rtcpComesOnlyFromTheLatchedHost() throws {
        var latch = SymmetricRTPLatch(expected: privateSDP)
        let sdpRTCP = try #require(TransportAddress("192.168.1.20", port: 4001))
        #expect(rtcp(&latch, from: sdpRTCP), "before latching: the SDP host, any port")
        #expect(!rtcp(&latch, from: natAddress))
        #expect(feed(&latch, from: natAddress, ssrc: 7, count: 30, start: 0) > 0)
        let natRTCP = try #require(TransportAddress("198.51.100.7", port: 31_001))
        #expect(rtcp(&latch, from: natRTCP))
        #expect(!rtcp(&latch, from: sdpRTCP), "latched elsewhere: the SDP host is not the phone")
        #expect(!rtcp(&latch, from: sprayer))
        #expect(latch.drops[.rtcpSourceRejected] == 3)
        var unknown = SymmetricRTPLatch(expected: nil)
        #expect(!rtcp(&unknown, from: natRTCP), "no address yet: no RTCP")
    }
}
