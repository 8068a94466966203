import BridgeRTP

/// Why a source stopped, in words a user can act on ("401 Unauthorized from camera", "no route to host").
public struct MediaSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// False when retrying cannot help (bad config, unsupported codec); the supervisor still retries, slower.
    public var isTransient: Bool

    public init(_ description: String, isTransient: Bool = true) {
        self.description = description
        self.isTransient = isTransient
    }
}

/// Receives what a source produces. Calls may come from any thread, in order for one source.
public protocol MediaSourceSink: AnyObject, Sendable {
    /// The tracks, once, before the first frame (index = track number used in `didProduce`).
    func source(didDescribe tracks: [MediaTrackInfo])
    func source(didProduce frame: MediaFrame, track: Int)
    /// The source ended: `nil` for a clean end (stop() called), an error otherwise. No calls follow.
    func source(didEndWith error: MediaSourceError?)
}

/// A camera (RTSP), a file, or any other producer of frames. One start, one stop.
public protocol MediaSource: AnyObject, Sendable {
    func start(sink: any MediaSourceSink)
    /// Ends the source; `didEndWith(nil)` follows unless it had already ended.
    func stop()
}
