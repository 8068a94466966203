import Foundation
import Testing

/// Runs a suite's tests on a thread of their own instead of Swift's cooperative pool (one thread per core).
///
/// Interop tests block while they wait for real peers (a page's result, a phone's log line, a process to
/// exit). On the shared pool, two such waits on a two-core machine stall every other test's `await` until
/// one ends: a WHEP session then outlives its 30 s consent before its test can send the DELETE. With this
/// trait each test's task, and the tasks it starts, run on a dedicated thread that may block freely.
public struct OwnThread: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // Only each test case gets a thread; the suite itself runs as usual.
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(ThreadExecutor()) { try await function() }
    }
}

extension Trait where Self == OwnThread {
    /// Each test on a thread of its own: see `OwnThread`.
    public static var ownThread: OwnThread { OwnThread() }
}

/// A task executor with one thread that runs the jobs given to it in order. The thread stays (idle) after its
/// test, so that a job that comes late still runs.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init() {
        let thread = Thread { [self] in run() }
        thread.name = "interop-test"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
