import BridgeWebRTC

/// An ICE-TCP connection's bytes (RFC 4571 framing) as TCP hands them over, in pieces of fuzz-chosen sizes:
///
/// ```
/// | n (1) | n piece sizes (1 each; 0 reads as 1) | the stream, cut into those sizes in turn |
/// ```
///
/// The frames must be those the stream holds read in one go, with what is left over pending; and a frame
/// framed again must come out as itself. Anything else is a finding.
public enum FramerFuzzEntry {
    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        var input = FuzzInput(bytes)
        let sizes = (0..<(Int(input.byte()) % 16)).map { _ in max(1, Int(input.byte())) }
        let stream = Array(input.remaining)

        var framer = RFC4571Framer()
        var frames: [[UInt8]] = []
        var offset = 0
        var piece = 0
        while offset < stream.count {
            let size = sizes.isEmpty ? stream.count : sizes[piece % sizes.count]
            let end = min(stream.count, offset + size)
            framer.append(stream[offset..<end])
            offset = end
            piece += 1
            while let frame = framer.next() { frames.append(frame) }
        }

        let (expected, consumed) = wholeStreamFrames(stream)
        findings.check(frames == expected, "\(frames.count) frames from pieces, \(expected.count) from the whole stream")
        findings.check(framer.pendingCount == stream.count - consumed,
                       "\(framer.pendingCount) bytes pending, \(stream.count - consumed) left after the last frame")

        for frame in frames.prefix(4) {
            guard let framed = RFC4571Framer.frame(frame) else {
                findings.fail("a \(frame.count)-byte frame cannot be framed again")
                continue
            }
            var again = RFC4571Framer()
            again.append(framed)
            findings.check(again.next() == frame && again.pendingCount == 0, "a \(frame.count)-byte frame changed when framed again")
        }
        return findings
    }

    /// RFC 4571 read the plain way: length, frame, repeat; empty frames carry nothing.
    static func wholeStreamFrames(_ stream: [UInt8]) -> (frames: [[UInt8]], consumed: Int) {
        var frames: [[UInt8]] = []
        var offset = 0
        while stream.count - offset >= 2 {
            let length = Int(stream[offset]) << 8 | Int(stream[offset + 1])
            guard stream.count - offset - 2 >= length else { break }
            if length > 0 { frames.append(Array(stream[(offset + 2)..<(offset + 2 + length)])) }
            offset += 2 + length
        }
        return (frames, offset)
    }
}
