import BridgeGateway
import BridgeRTP
import Foundation
import Synchronization

/// A sink that keeps what a source produced, for tests to wait on with a deadline.
final class CollectingSink: MediaSourceSink {
    struct State {
        var tracks: [MediaTrackInfo]?
        var describeCount = 0
        var frames: [(track: Int, frame: MediaFrame)] = []
        var ended = false
        var error: MediaSourceError?
        var callsAfterEnd = 0
    }

    let state = Mutex(State())

    func source(didDescribe tracks: [MediaTrackInfo]) {
        state.withLock {
            if $0.ended { $0.callsAfterEnd += 1 }
            $0.tracks = tracks
            $0.describeCount += 1
        }
    }

    func source(didProduce frame: MediaFrame, track: Int) {
        state.withLock {
            if $0.ended { $0.callsAfterEnd += 1 }
            $0.frames.append((track, frame))
        }
    }

    func source(didEndWith error: MediaSourceError?) {
        state.withLock {
            if $0.ended { $0.callsAfterEnd += 1 }
            $0.ended = true
            $0.error = error
        }
    }

    var snapshot: State { state.withLock { $0 } }

    /// Polls every 50 ms until `condition` holds or `timeout` passes; returns whether it held.
    func wait(timeout: Duration, until condition: (State) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(snapshot) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(snapshot)
    }
}
