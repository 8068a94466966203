import BridgeCore
import BridgeSTUN

/// The last few connectivity checks an agent answered, by transaction id, in a fixed ring.
///
/// Browsers send consent checks every few seconds (RFC 7675: 4–6 s on average), so a ring of `capacity`
/// entries spans several minutes of one session. A captured check replayed later than that is not
/// recognised: the bound keeps a session's memory fixed (about 4 KiB here).
struct RecentSTUNTransactions: Sendable {
    static let capacity = 128

    private var ids: [STUNTransactionID] = []
    private var sources: [TransportAddress] = []
    private var next = 0

    init() {
        ids.reserveCapacity(Self.capacity)
        sources.reserveCapacity(Self.capacity)
    }

    /// The address the check with `id` first came from, if it is one of the recent ones.
    func lookUp(_ id: STUNTransactionID) -> TransportAddress? {
        ids.firstIndex(of: id).map { sources[$0] }
    }

    mutating func insert(_ id: STUNTransactionID, from source: TransportAddress) {
        if ids.count < Self.capacity {
            ids.append(id)
            sources.append(source)
        } else {
            ids[next] = id
            sources[next] = source
        }
        next = (next + 1) % Self.capacity
    }
}
