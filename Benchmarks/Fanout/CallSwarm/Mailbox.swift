import NIOCore
import SwarmSupport

/// Messages a channel handler received, waited for by the call's set-up task: `wait` completes with the
/// first queued or later message that matches, or fails after its timeout. Lives on one event loop.
final class Mailbox<Message> {
    let eventLoop: any EventLoop
    /// Messages nobody waits for yet; the oldest go first when a misbehaving peer floods.
    static var capacity: Int { 64 }
    private var queue: [Message] = []
    private var waiter: (matches: (Message) -> Bool, promise: EventLoopPromise<Message>, timer: Scheduled<Void>)?
    private var closedReason: String?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func deliver(_ message: Message) {
        eventLoop.preconditionInEventLoop()
        if let waiter, waiter.matches(message) {
            self.waiter = nil
            waiter.timer.cancel()
            waiter.promise.succeed(message)
            return
        }
        if queue.count >= Self.capacity { queue.removeFirst() }
        queue.append(message)
    }

    /// The connection behind the mailbox is gone: a current and every later wait fail with `reason`.
    func close(reason: String) {
        closedReason = closedReason ?? reason
        if let waiter {
            self.waiter = nil
            waiter.timer.cancel()
            waiter.promise.fail(SwarmError(reason))
        }
    }

    /// One wait at a time (the set-up task is sequential).
    func wait(for what: String, timeout: TimeAmount, matching matches: @escaping (Message) -> Bool) -> EventLoopFuture<Message> {
        eventLoop.preconditionInEventLoop()
        if let index = queue.firstIndex(where: matches) { return eventLoop.makeSucceededFuture(queue.remove(at: index)) }
        if let closedReason { return eventLoop.makeFailedFuture(SwarmError("\(what): \(closedReason)")) }
        guard waiter == nil else { return eventLoop.makeFailedFuture(SwarmError("\(what): already waiting")) }
        let promise = eventLoop.makePromise(of: Message.self)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: eventLoop)
        let timer = eventLoop.scheduleTask(in: timeout) {
            let mailbox = loopBoundSelf.value
            guard let waiter = mailbox.waiter else { return }
            mailbox.waiter = nil
            waiter.promise.fail(SwarmError("no \(what) within \(timeout.nanoseconds / 1_000_000) ms"))
        }
        waiter = (matches, promise, timer)
        return promise.futureResult
    }
}
