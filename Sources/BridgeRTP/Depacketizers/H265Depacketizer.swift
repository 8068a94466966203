import BridgeCore

/// H.265 over RTP (RFC 7798) to access units: single NAL unit packets (section 4.4.1), aggregation packets
/// (section 4.4.2) and fragmentation units (section 4.4.3), without DONL (sprop-max-don-diff absent or 0,
/// as cameras send). PACI packets (type 50) are counted as unsupported.
///
/// ```
/// NAL unit header: |F|   Type    |  LayerId  | TID |   (2 bytes; Type = bits 1...6 of the first byte)
/// AP:  | header (type 48) | size (16) | NAL unit | size (16) | NAL unit | ...
/// FU:  | header (type 49) | S|E| FuType | fragment ...
/// ```
///
/// An IRAP access unit (types 16...23) always starts with VPS, SPS and PPS: the latest seen in the stream,
/// else those from `sprop-vps`, `sprop-sps`, `sprop-pps`.
public struct H265Depacketizer: RTPDepacketizer {
    public let clockRate: Int
    /// VPS, SPS, PPS put before IRAP pictures that come without them; updated from the stream.
    public private(set) var parameterSets: [[UInt8]]
    private var assembler = AccessUnitAssembler()

    public var counters: DepacketizerCounters { assembler.counters }

    enum NALType {
        static let irap: ClosedRange<UInt8> = 16...23
        static let vps: UInt8 = 32
        static let sps: UInt8 = 33
        static let pps: UInt8 = 34
        static let aggregation: UInt8 = 48
        static let fragmentation: UInt8 = 49
        static let paci: UInt8 = 50
    }

    static func type(of nal: [UInt8]) -> UInt8? { nal.first.map { $0 >> 1 & 0x3F } }

    public init(parameterSets: [[UInt8]] = [], clockRate: Int = 90_000) {
        self.parameterSets = parameterSets.filter { $0.count >= 2 }
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
        guard payload.count >= 3 else { return assembler.malformed() }
        let first = payload[payload.startIndex], second = payload[payload.startIndex + 1]
        switch first >> 1 & 0x3F {
        case 0...47:
            assembler.append(payload)
        case NALType.aggregation:
            var rest = payload.dropFirst(2)
            while !rest.isEmpty {
                guard rest.count >= 2 else { return assembler.malformed() }
                let size = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
                rest = rest.dropFirst(2)
                guard size >= 2, size <= rest.count else { return assembler.malformed() }
                assembler.append(rest.prefix(size))
                rest = rest.dropFirst(size)
            }
        case NALType.fragmentation:
            let fuHeader = payload[payload.startIndex + 2]
            let data = payload.dropFirst(3)
            let isStart = fuHeader & 0x80 != 0, isEnd = fuHeader & 0x40 != 0
            guard !(isStart && isEnd) else { return assembler.malformed() }
            if isStart {
                // The NAL header again: F and LayerId's high bit from the payload header, the FuType.
                assembler.startFragment(header: [first & 0x81 | (fuHeader & 0x3F) << 1, second], data)
            } else {
                assembler.continueFragment(data, isEnd: isEnd)
            }
        case NALType.paci:
            assembler.unsupported()
        default:
            assembler.malformed()
        }
    }

    private mutating func frame(from unit: AccessUnit) -> MediaFrame {
        var units = unit.units
        var isIRAP = false
        var inBand: [UInt8: [UInt8]] = [:]
        for nal in units {
            guard let type = Self.type(of: nal) else { continue }
            if NALType.irap.contains(type) { isIRAP = true }
            if type == NALType.vps || type == NALType.sps || type == NALType.pps { inBand[type] = nal }
        }
        let order = [NALType.vps, NALType.sps, NALType.pps]
        if !inBand.isEmpty {
            let known = parameterSets
            parameterSets = order.flatMap { type in
                inBand[type].map { [$0] } ?? known.filter { Self.type(of: $0) == type }
            }
        }
        if isIRAP { units = ParameterSets.inserting(parameterSets, into: units, codec: .h265) }
        return MediaFrame(codec: .h265, timestamp: unit.timestamp, clockRate: clockRate, isKeyframe: isIRAP, units: units)
    }
}
