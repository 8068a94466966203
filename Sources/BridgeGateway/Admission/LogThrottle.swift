import BridgeCore

/// At most one log line per key (a refusal's reason) per interval, so that a flood of refused requests
/// costs a few lines, not one per request; the lines that were held back are counted in the next one.
/// Sans-IO: the caller passes `now`.
struct LogThrottle {
    let interval: Duration
    private var keys: [String: (last: MonotonicInstant, suppressed: Int)] = [:]

    init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Whether to log `key` now, and how many lines for it were held back since the last one.
    mutating func admit(_ key: String, now: MonotonicInstant) -> (log: Bool, suppressed: Int) {
        guard let entry = keys[key], now < entry.last + interval else {
            let suppressed = keys[key]?.suppressed ?? 0
            keys[key] = (now, 0)
            return (true, suppressed)
        }
        keys[key] = (entry.last, entry.suppressed + 1)
        return (false, 0)
    }
}
