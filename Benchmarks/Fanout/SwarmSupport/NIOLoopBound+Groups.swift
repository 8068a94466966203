import NIOCore

extension Array {
    /// `read` run on each loop-bound group's own loop, one after the other (a swarm's counters, a window mark).
    public func onEachLoop<Group, Value: Sendable>(_ read: @escaping @Sendable (Group) -> Value) async throws -> [Value]
        where Element == NIOLoopBound<Group>
    {
        var values: [Value] = []
        for bound in self {
            values.append(try await bound.eventLoop.submit { read(bound.value) }.get())
        }
        return values
    }
}
