import CBridgeShim

/// An FFmpeg failure or an unusable file, in words for the route's error and the log.
public struct MediaError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(_ message: String) {
        self.message = message
    }

    /// `what` followed by FFmpeg's own text for `code` (an AVERROR).
    static func ffmpeg(_ what: String, _ code: Int32) -> MediaError {
        var buffer = [CChar](repeating: 0, count: Int(mb_av_error_max_string_size()))
        let text = buffer.withUnsafeMutableBufferPointer { pointer -> String in
            guard let base = pointer.baseAddress else { return "error \(code)" }
            return String(cString: mb_av_err2str(code, base, pointer.count))
        }
        return MediaError("\(what): \(text)")
    }
}
