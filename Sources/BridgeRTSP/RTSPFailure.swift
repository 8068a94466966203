/// Why the RTSP session ended, in words for the user: "401 Unauthorized from camera".
public struct RTSPFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    /// False when retrying cannot help (unsupported codec, bad URL).
    public var isTransient: Bool

    public init(_ reason: String, isTransient: Bool = true) {
        self.reason = reason
        self.isTransient = isTransient
    }

    public var description: String { reason }
}
