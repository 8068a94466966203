import BridgeCore

/// Which datagrams to one destination may leave as one UDP GSO write (`UDP_SEGMENT`): the kernel cuts the
/// write into segments of the first datagram's size, so every datagram but the last must have that size, and
/// the last may be shorter. A video frame's fragments, packetized to equal sizes, make such a run.
///
/// Sans-IO and byte-free: it only decides. The driver appends each datagram to the buffer of the open run
/// when `add` says it joined, and writes that buffer out (with `segmentSize` when `count > 1`) when `add`
/// hands back the run it closed, or at `finish`.
struct GSOBurst {
    struct Run: Equatable {
        var destination: TransportAddress
        var segmentSize: Int
        var count: Int
        var byteCount: Int
    }

    /// Linux's UDP_MAX_SEGMENTS.
    static let maximumSegments = 64
    /// What one UDP datagram (the GSO write) can carry.
    static let maximumBytes = 65_000

    private var current: Run?

    enum Step: Equatable {
        /// The datagram joins the open run.
        case joined
        /// The datagram opens a new run; `closed` (if any) must be written out first.
        case started(closed: Run?)
    }

    /// Places a datagram of `size` bytes to `destination`.
    mutating func add(size: Int, to destination: TransportAddress) -> Step {
        if var run = current, run.destination == destination, run.byteCount % run.segmentSize == 0,
           size <= run.segmentSize, run.count < Self.maximumSegments, run.byteCount + size <= Self.maximumBytes {
            run.count += 1
            run.byteCount += size
            current = run
            return .joined
        }
        let closed = current
        current = size > 0 ? Run(destination: destination, segmentSize: size, count: 1, byteCount: size) : nil
        return .started(closed: closed)
    }

    /// The run still open, ending it.
    mutating func finish() -> Run? {
        defer { current = nil }
        return current
    }
}
