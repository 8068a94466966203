import BridgeCore

/// H.264 over RTP (RFC 6184) to access units: single NAL unit packets (section 5.6), STAP-A (section 5.7.1)
/// and FU-A (section 5.8), in non-interleaved mode. STAP-B, MTAP and FU-B (interleaved mode, which cameras
/// do not use) are counted as unsupported and dropped.
///
/// ```
/// STAP-A: | F|NRI| 24 | size (16) | NAL unit | size (16) | NAL unit | ...
/// FU-A:   | F|NRI| 28 | S|E|R| type | fragment ...
/// ```
///
/// A keyframe (an access unit with an IDR slice) always starts with SPS and PPS: the latest ones seen in the
/// stream, else those from `sprop-parameter-sets`.
public struct H264Depacketizer: RTPDepacketizer {
    public let clockRate: Int
    /// The SPS and PPS put before IDR slices that come without them; updated from the stream.
    public private(set) var parameterSets: [[UInt8]]
    /// True once a B slice was seen (slice_type 1 or 6): browsers stall on streams with B-frames.
    public private(set) var sawBSlices = false
    private var assembler = AccessUnitAssembler()

    public var counters: DepacketizerCounters { assembler.counters }

    enum NALType {
        static let idr: UInt8 = 5
        static let sps: UInt8 = 7
        static let pps: UInt8 = 8
        static let stapA: UInt8 = 24
        static let fuA: UInt8 = 28
    }

    public init(parameterSets: [[UInt8]] = [], clockRate: Int = 90_000) {
        self.parameterSets = parameterSets.filter { !$0.isEmpty }
        self.clockRate = clockRate
    }

    public mutating func handle(_ packet: RTPPacket, in bytes: [UInt8]) -> [MediaFrame] {
        var completed: [AccessUnit] = []
        guard assembler.begin(packet.header, into: &completed) else { return [] }
        read(packet.payload(in: bytes))
        assembler.end(marker: packet.header.marker, into: &completed)
        return completed.map { frame(from: $0) }
    }

    private mutating func read(_ payload: ArraySlice<UInt8>) {
        guard let indicator = payload.first else { return assembler.malformed() }
        switch indicator & 0x1F {
        case 1...23:
            assembler.append(payload)
        case NALType.stapA:
            var rest = payload.dropFirst()
            guard !rest.isEmpty else { return assembler.malformed() }
            while !rest.isEmpty {
                guard rest.count >= 2 else { return assembler.malformed() }
                let size = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
                rest = rest.dropFirst(2)
                guard size > 0, size <= rest.count else { return assembler.malformed() }
                assembler.append(rest.prefix(size))
                rest = rest.dropFirst(size)
            }
        case NALType.fuA:
            guard payload.count >= 3 else { return assembler.malformed() }
            let fuHeader = payload[payload.startIndex + 1]
            let data = payload.dropFirst(2)
            let isStart = fuHeader & 0x80 != 0, isEnd = fuHeader & 0x40 != 0
            guard !(isStart && isEnd) else { return assembler.malformed() }  // section 5.8: not both
            if isStart {
                assembler.startFragment(header: [indicator & 0xE0 | fuHeader & 0x1F], data)
            } else {
                assembler.continueFragment(data, isEnd: isEnd)
            }
        case 25, 26, 27, 29:
            assembler.unsupported()
        default:
            assembler.malformed()  // 0, 30, 31 are reserved
        }
    }

    private mutating func frame(from unit: AccessUnit) -> MediaFrame {
        var units = unit.units
        var hasIDR = false, sps: [UInt8]?, pps: [UInt8]?
        for nal in units {
            guard let first = nal.first else { continue }
            switch first & 0x1F {
            case NALType.idr: hasIDR = true
            case NALType.sps: sps = nal
            case NALType.pps: pps = nal
            case 1 where !sawBSlices: sawBSlices = Self.isBSlice(nal)
            default: break
            }
        }
        if sps != nil || pps != nil {
            // The stream's own parameter sets win over the SDP's, which may be stale.
            let known = parameterSets
            parameterSets = (sps.map { [$0] } ?? known.filter { $0.first.map { $0 & 0x1F == NALType.sps } ?? false })
                + (pps.map { [$0] } ?? known.filter { $0.first.map { $0 & 0x1F == NALType.pps } ?? false })
        }
        if hasIDR { units = ParameterSets.inserting(parameterSets, into: units, codec: .h264) }
        return MediaFrame(codec: .h264, timestamp: unit.timestamp, clockRate: clockRate, isKeyframe: hasIDR, units: units)
    }

    /// Reads `first_mb_in_slice` and `slice_type` (H.264 section 7.3.3), both ue(v), from a non-IDR slice.
    static func isBSlice(_ nal: [UInt8]) -> Bool {
        var reader = ExpGolombReader(nal.dropFirst())
        guard reader.readUnsigned() != nil, let sliceType = reader.readUnsigned() else { return false }
        return sliceType % 5 == 1
    }
}
