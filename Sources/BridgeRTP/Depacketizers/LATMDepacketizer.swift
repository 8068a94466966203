import BridgeCore

/// MPEG-4 audio in LATM over RTP (`MP4A-LATM`, RFC 6416 section 6.1) with the configuration out of band
/// (`cpresent=0`, StreamMuxConfig in the fmtp `config`): raw AAC access units, as `AACDepacketizer` gives.
///
/// ```
/// AudioMuxElement (one per marker-terminated run of packets):
///   | PayloadLengthInfo: 0xFF ... 0xFF n | PayloadMux: length bytes of AU | ... (numSubFrames + 1 times)
/// ```
///
/// Sub-frame n's timestamp is the packet's plus n × `samplesPerFrame`.
public struct LATMDepacketizer: RTPDepacketizer {
    public let clockRate: Int
    /// `numSubFrames` from the StreamMuxConfig: AUs per AudioMuxElement, minus one.
    public let subFrames: Int
    public let samplesPerFrame: Int
    public private(set) var counters = DepacketizerCounters()
    private var unwrapper = RTPTimestampUnwrapper()
    private var sequence = RTPSequenceTracker()
    private var element: [UInt8] = []
    private var elementBroken = false

    static let maximumElement = 64 * 1024

    public init(clockRate: Int, subFrames: Int = 0, samplesPerFrame: Int = 1024) {
        self.clockRate = clockRate
        self.subFrames = subFrames
        self.samplesPerFrame = samplesPerFrame
    }

    public mutating func handle(_ packet: RTPPacket, in bytes: [UInt8]) -> [MediaFrame] {
        guard let lost = sequence.accept(packet.header.sequenceNumber, counting: &counters) else { return [] }
        // The element in progress lost a piece; so may the one this packet belongs to.
        if lost > 0 { elementBroken = true }
        let payload = packet.payload(in: bytes)
        if element.count + payload.count > Self.maximumElement { elementBroken = true }
        if !elementBroken { element.append(contentsOf: payload) }
        guard packet.header.marker else { return [] }
        defer {
            element = []
            elementBroken = false
        }
        guard !elementBroken else {
            counters.brokenFrames += 1
            return []
        }
        guard let units = Self.split(element[...], subFrames: subFrames) else {
            counters.malformedPackets += 1
            return []
        }
        let base = unwrapper.unwrap(packet.header.timestamp)
        counters.frames += UInt64(units.count)
        return units.enumerated().map { index, unit in
            MediaFrame(codec: .aac, timestamp: base + Int64(index * samplesPerFrame), clockRate: clockRate,
                       isKeyframe: true, units: [unit])
        }
    }

    /// The AUs of one AudioMuxElement; nil when a length runs past the end or bytes are left over.
    static func split(_ element: ArraySlice<UInt8>, subFrames: Int) -> [[UInt8]]? {
        var rest = element
        var units: [[UInt8]] = []
        for _ in 0...subFrames {
            var length = 0
            while true {
                guard let byte = rest.first else { return nil }
                rest = rest.dropFirst()
                length += Int(byte)
                if byte != 0xFF { break }
            }
            guard length > 0, length <= rest.count else { return nil }
            units.append(Array(rest.prefix(length)))
            rest = rest.dropFirst(length)
        }
        return rest.isEmpty ? units : nil
    }

    /// Reads a StreamMuxConfig (ISO 14496-3 section 1.7.3, audioMuxVersion 0, one program and layer, variable
    /// frame length): the AudioSpecificConfig inside it and numSubFrames. Nil for what this does not take.
    public static func parseStreamMuxConfig(_ bytes: [UInt8]) -> (audioSpecificConfig: [UInt8], subFrames: Int)? {
        var reader = BitReader(bytes[...])
        guard reader.read(1) == 0,  // audioMuxVersion
              reader.read(1) != nil,  // allStreamsSameTimeFraming
              let subFrames = reader.read(6),
              reader.read(4) == 0, reader.read(3) == 0  // numProgram, numLayer: one each
        else { return nil }
        let start = reader.position
        guard let objectType = readObjectType(&reader), skipSamplingFrequency(&reader), reader.read(4) != nil else { return nil }
        if objectType == 5 || objectType == 29 {  // SBR / PS: the extension's rate, then the core object type
            guard skipSamplingFrequency(&reader), readObjectType(&reader) != nil else { return nil }
        }
        // GASpecificConfig: frameLengthFlag, dependsOnCoreCoder (then a 14-bit delay), extensionFlag.
        guard reader.read(1) != nil, let dependsOnCore = reader.read(1) else { return nil }
        if dependsOnCore == 1 { guard reader.read(14) != nil else { return nil } }
        guard reader.read(1) != nil else { return nil }
        var end = reader.position
        // A backward-compatible SBR signal (sync extension 0x2B7, ISO 14496-3 section 1.6.5.2) may follow:
        // kept when it says SBR is present, dropped (plain AAC-LC config) when it says it is not.
        var probe = reader
        if probe.read(11) == 0x2B7, probe.read(5) == 5, let sbrPresent = probe.read(1) {
            if sbrPresent == 1 {
                guard skipSamplingFrequency(&probe) else { return nil }
                end = probe.position
            }
            reader = probe
        }
        // frameLengthType 0: a PayloadLengthInfo before each AU (some configs stop before this field).
        if let frameLengthType = reader.read(3), frameLengthType != 0 { return nil }

        var copy = BitReader(bytes[...])
        _ = copy.read(start)
        var config: [UInt8] = []
        var remaining = end - start
        while remaining > 0 {
            let take = min(8, remaining)
            guard let value = copy.read(take) else { return nil }
            config.append(UInt8(truncatingIfNeeded: value << (8 - take)))
            remaining -= take
        }
        return (config, Int(subFrames))
    }

    private static func readObjectType(_ reader: inout BitReader) -> UInt32? {
        guard let type = reader.read(5) else { return nil }
        guard type == 31 else { return type }
        return reader.read(6).map { 32 + $0 }
    }

    private static func skipSamplingFrequency(_ reader: inout BitReader) -> Bool {
        guard let index = reader.read(4) else { return false }
        return index != 15 || reader.read(24) != nil
    }
}
