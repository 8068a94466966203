import BridgeWebRTC
import Testing

@Suite struct RFC4571FramerTests {
    @Test func framesSplitAtEveryByteComeOutWhole() throws {
        let packets: [[UInt8]] = [[1, 2, 3], Array(repeating: 7, count: 300), [], [9]]
        let stream = try packets.flatMap { try #require(RFC4571Framer.frame($0)) }
        for cut in 0...stream.count {
            var framer = RFC4571Framer()
            var out: [[UInt8]] = []
            framer.append(stream[..<cut])
            while let frame = framer.next() { out.append(frame) }
            framer.append(stream[cut...])
            while let frame = framer.next() { out.append(frame) }
            #expect(out == packets.filter { !$0.isEmpty }, "cut at \(cut)")
            #expect(framer.pendingCount == 0)
        }
    }

    @Test func oversizedPacketsCannotBeFramed() {
        #expect(RFC4571Framer.frame(Array(repeating: 0, count: 65_536)) == nil)
        #expect(RFC4571Framer.frame([0xAB])?.prefix(2) == [0, 1])
    }
}
