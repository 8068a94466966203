/// One account's registration as the API shows it.
public struct SIPRegistrationStatus: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case idle, registering, registered, failed, stopped
    }

    /// The call route the account belongs to.
    public var route: String
    /// `username@registrar` (never the password).
    public var account: String
    public var state: State
    /// Why the last attempt failed.
    public var error: String?
}
