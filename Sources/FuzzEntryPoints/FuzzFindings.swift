/// The invariants one fuzz input broke, in the order they were checked. An entry never traps: it returns
/// what it found, and the libFuzzer executable (Fuzz/Sources/…) turns a finding into a crash while the replay
/// test (FuzzEntryPointsTests) turns it into a failed expectation. Traps and sanitizer reports inside the
/// gateway's own code stay what they are.
public struct FuzzFindings: Sendable, Hashable {
    public private(set) var messages: [String] = []

    public init() {}

    public var isEmpty: Bool { messages.isEmpty }

    /// Records `message` when `condition` does not hold.
    mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { messages.append(message()) }
    }

    mutating func fail(_ message: String) {
        messages.append(message)
    }
}
