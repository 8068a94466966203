import BridgeCore

/// Which datagrams to one destination may leave as one UDP GSO write (`UDP_SEGMENT`): the kernel cuts the
/// write into segments of the first datagram's size, so every datagram but the last must have that size, and
/// the last may be shorter. A video frame's fragments, packetized to equal sizes, make such a run.
///
/// Sans-IO: the driver feeds datagrams in order and writes each run `add` or `finish` hands back.
struct GSOBurst {
    struct Run: Equatable {
        var destination: TransportAddress
        var segmentSize: Int
        var bytes: [UInt8]
        var count: Int
    }

    /// Linux's UDP_MAX_SEGMENTS.
    static let maximumSegments = 64
    /// What one UDP datagram (the GSO write) can carry.
    static let maximumBytes = 65_000

    private var current: Run?

    /// Adds a datagram; returns the run it closed, if it could not join it.
    mutating func add(_ datagram: [UInt8], to destination: TransportAddress) -> Run? {
        if var run = current, run.destination == destination, run.bytes.count % run.segmentSize == 0,
           datagram.count <= run.segmentSize, run.count < Self.maximumSegments, run.bytes.count + datagram.count <= Self.maximumBytes {
            run.bytes.append(contentsOf: datagram)
            run.count += 1
            current = run
            return nil
        }
        let closed = current
        if datagram.isEmpty {
            current = nil
        } else {
            var bytes = datagram
            bytes.reserveCapacity(min(datagram.count * 16, Self.maximumBytes))
            current = Run(destination: destination, segmentSize: datagram.count, bytes: bytes, count: 1)
        }
        return closed
    }

    /// The run still open, ending it.
    mutating func finish() -> Run? {
        defer { current = nil }
        return current
    }
}
