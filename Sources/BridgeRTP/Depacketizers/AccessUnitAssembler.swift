import BridgeCore

/// The NAL units of one access unit with their timestamp, before the codec's own touches (parameter sets).
struct AccessUnit: Sendable {
    var timestamp: Int64
    var units: [[UInt8]]
}

/// Sequence, timestamp and fragment bookkeeping shared by the H.264 and H.265 depacketizers.
///
/// An access unit ends on the marker bit (RFC 6184 section 5.1, RFC 7798 section 4.1) or, for senders that
/// forget the marker, when the timestamp changes. A sequence gap breaks the access unit in progress and the
/// one the next packet belongs to (the lost packets may have been its first NAL units): both are dropped,
/// counted in `brokenFrames`, and the stream goes on with the next access unit.
struct AccessUnitAssembler: Sendable {
    /// Larger access units are dropped (a 4K IDR is a few MB; this bounds what a bogus stream can pin).
    static let maximumBytes = 8 << 20
    static let maximumUnits = 2048

    private(set) var counters = DepacketizerCounters()
    private var units: [[UInt8]] = []
    private var byteCount = 0
    private var timestamp: RTPTimestamp?
    private var broken = false
    private var fragment: [UInt8]?
    private var sequence = RTPSequenceTracker()
    private var unwrapper = RTPTimestampUnwrapper()

    /// Starts a packet: checks its sequence number and closes the previous access unit when the timestamp
    /// moved. False when the packet is late or a duplicate and must be ignored.
    mutating func begin(_ header: RTPHeader, into completed: inout [AccessUnit]) -> Bool {
        guard let lost = sequence.accept(header.sequenceNumber, counting: &counters) else { return false }
        let gap = lost > 0
        if gap { markBroken() }
        if let timestamp, timestamp != header.timestamp {
            finish(into: &completed)
        }
        timestamp = header.timestamp
        if gap { markBroken() }
        return true
    }

    /// Ends a packet: the marker bit closes the access unit.
    mutating func end(marker: Bool, into completed: inout [AccessUnit]) {
        if marker { finish(into: &completed) }
    }

    /// The packet could not be read: whatever it carried is lost, so is its access unit.
    mutating func malformed() {
        counters.malformedPackets += 1
        markBroken()
    }

    mutating func unsupported() {
        counters.unsupportedPackets += 1
        markBroken()
    }

    mutating func append(_ unit: some Collection<UInt8>) {
        guard !broken else { return }
        guard fragment == nil else { return markBroken() }  // a new NAL unit while a fragment is open
        guard reserve(unit.count) else { return }
        units.append(Array(unit))
    }

    /// A fragmentation unit with the start bit: `header` is the reconstructed NAL unit header.
    mutating func startFragment(header: [UInt8], _ data: some Collection<UInt8>) {
        guard !broken else { return }
        guard fragment == nil else { return markBroken() }
        guard reserve(header.count + data.count) else { return }
        fragment = header + data
    }

    mutating func continueFragment(_ data: some Collection<UInt8>, isEnd: Bool) {
        guard !broken else { return }
        guard fragment != nil else { return markBroken() }  // its start was lost or never sent
        guard reserve(data.count) else { return }
        fragment?.append(contentsOf: data)
        if isEnd, let whole = fragment {
            fragment = nil
            units.append(whole)
        }
    }

    private mutating func reserve(_ count: Int) -> Bool {
        guard byteCount + count <= Self.maximumBytes, units.count < Self.maximumUnits else {
            markBroken()
            return false
        }
        byteCount += count
        return true
    }

    private mutating func markBroken() {
        broken = true
        units = []
        fragment = nil
        byteCount = 0
    }

    private mutating func finish(into completed: inout [AccessUnit]) {
        defer {
            units = []
            fragment = nil
            byteCount = 0
            broken = false
            timestamp = nil
        }
        guard let timestamp else { return }
        if broken || fragment != nil {
            counters.brokenFrames += 1
            return
        }
        guard !units.isEmpty else { return }
        counters.frames += 1
        completed.append(AccessUnit(timestamp: unwrapper.unwrap(timestamp), units: units))
    }
}
