/// A secret (password, bearer token) that never shows itself in logs, API answers or `description`.
///
/// Read it through `revealed` where it is needed on the wire, and nowhere else.
public struct Redacted: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let revealed: String

    public init(_ revealed: String) {
        self.revealed = revealed
    }

    public var description: String { "***" }
    public var debugDescription: String { "Redacted(***)" }
}
