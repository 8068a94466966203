/// Why a swarm benchmark (fan-out or calls) stopped, in words.
public struct SwarmError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
