import BridgeCore

/// MPEG-4 audio over RTP in the `mpeg4-generic` format (RFC 3640), AAC-hbr and AAC-lbr modes: raw AAC
/// access units, several per packet, or one split over packets (section 3.2.3).
///
/// ```
/// | AU-headers-length (16, in bits) | AU-header 1 | ... | AU-header n | pad to byte | AU 1 | ... | AU n |
/// AU-header: | AU-size (sizelength) | AU-Index or AU-Index-delta (indexlength / indexdeltalength) |
/// ```
///
/// AU n's timestamp is the packet's plus n × `samplesPerFrame` (1024 for AAC-LC). Interleaving
/// (non-zero index deltas) is not reordered: cameras do not interleave.
public struct AACDepacketizer: RTPDepacketizer {
    public let clockRate: Int
    public let sizeLength: Int
    public let indexLength: Int
    public let indexDeltaLength: Int
    public let samplesPerFrame: Int
    public private(set) var counters = DepacketizerCounters()
    private var unwrapper = RTPTimestampUnwrapper()
    private var sequence = RTPSequenceTracker()
    /// An access unit split over packets: its announced size and the bytes so far.
    private var fragment: (size: Int, timestamp: RTPTimestamp, bytes: [UInt8])?

    /// An AU is at most 6144 bits per channel (ISO 14496-3 4.5.3.2); 8 channels with room to spare.
    static let maximumAccessUnit = 8 * 1024

    /// The AAC-hbr defaults: sizelength=13, indexlength=3, indexdeltalength=3.
    public init(clockRate: Int, sizeLength: Int = 13, indexLength: Int = 3, indexDeltaLength: Int = 3,
                samplesPerFrame: Int = 1024) {
        self.clockRate = clockRate
        self.sizeLength = sizeLength
        self.indexLength = indexLength
        self.indexDeltaLength = indexDeltaLength
        self.samplesPerFrame = samplesPerFrame
    }

    public mutating func handle(_ packet: RTPPacket, in bytes: [UInt8]) -> [MediaFrame] {
        guard let lost = sequence.accept(packet.header.sequenceNumber, counting: &counters) else { return [] }
        if lost > 0 {
            if fragment != nil { counters.brokenFrames += 1 }
            fragment = nil
        }
        guard sizeLength > 0, sizeLength <= 32, indexLength <= 32, indexDeltaLength <= 32 else {
            counters.unsupportedPackets += 1
            return []
        }
        return read(packet.payload(in: bytes), header: packet.header)
    }

    private mutating func read(_ payload: ArraySlice<UInt8>, header: RTPHeader) -> [MediaFrame] {
        guard payload.count >= 2 else { return malformed() }
        let headerBits = Int(payload[payload.startIndex]) << 8 | Int(payload[payload.startIndex + 1])
        let headerBytes = (headerBits + 7) / 8
        guard headerBits > 0, headerBytes <= payload.count - 2 else { return malformed() }
        var reader = BitReader(payload.dropFirst(2).prefix(headerBytes))
        var sizes: [Int] = []
        while reader.position < headerBits {
            let indexBits = sizes.isEmpty ? indexLength : indexDeltaLength
            guard reader.position + sizeLength + indexBits <= headerBits,
                  let size = reader.read(sizeLength), reader.read(indexBits) != nil
            else { return malformed() }
            sizes.append(Int(size))
        }
        var data = payload.dropFirst(2 + headerBytes)

        if let open = fragment {
            // A continuation carries one AU header with the whole AU's size (section 3.2.3).
            guard sizes.count == 1, sizes[0] == open.size, open.bytes.count + data.count <= open.size else {
                counters.brokenFrames += 1
                fragment = nil
                return malformed()
            }
            fragment?.bytes.append(contentsOf: data)
            guard header.marker else { return [] }
            fragment = nil
            guard open.bytes.count + data.count == open.size else {
                counters.brokenFrames += 1
                return []
            }
            counters.frames += 1
            return [frame(open.bytes + data, timestamp: unwrapper.unwrap(open.timestamp))]
        }

        if sizes.count == 1, sizes[0] > data.count {
            guard !header.marker, sizes[0] <= Self.maximumAccessUnit else { return malformed() }
            fragment = (sizes[0], header.timestamp, Array(data))
            return []
        }
        guard sizes.reduce(0, +) <= data.count else { return malformed() }
        let base = unwrapper.unwrap(header.timestamp)
        var frames: [MediaFrame] = []
        frames.reserveCapacity(sizes.count)
        for (index, size) in sizes.enumerated() {
            let unit = data.prefix(size)
            data = data.dropFirst(size)
            guard !unit.isEmpty else { continue }
            frames.append(frame(Array(unit), timestamp: base + Int64(index * samplesPerFrame)))
        }
        counters.frames += UInt64(frames.count)
        return frames
    }

    private mutating func malformed() -> [MediaFrame] {
        counters.malformedPackets += 1
        return []
    }

    private func frame(_ unit: [UInt8], timestamp: Int64) -> MediaFrame {
        MediaFrame(codec: .aac, timestamp: timestamp, clockRate: clockRate, isKeyframe: true, units: [unit])
    }
}
