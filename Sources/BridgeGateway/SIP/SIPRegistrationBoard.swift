import Synchronization

/// The registrations' latest states, written on the SIP loop and read by the API from any thread.
public final class SIPRegistrationBoard: Sendable {
    private let states = Mutex<[String: SIPRegistrationStatus]>([:])

    public init() {}

    func set(_ status: SIPRegistrationStatus) {
        states.withLock { $0[status.route] = status }
    }

    public var snapshot: [SIPRegistrationStatus] {
        states.withLock { Array($0.values) }.sorted { $0.route < $1.route }
    }
}
