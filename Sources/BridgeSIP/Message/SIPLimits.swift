/// Size and count limits for untrusted SIP input. A message past any of them is refused with a limit
/// error, before more memory is spent on it.
public struct SIPLimits: Sendable, Hashable {
    /// Whole message, head and body.
    public var maximumMessageSize: Int
    /// Header fields (after unfolding; a comma-separated list counts once).
    public var maximumHeaderCount: Int
    /// One physical line, and one header after unfolding.
    public var maximumLineLength: Int
    /// Elements of one comma-separated header list (Via, Route, Contact…).
    public var maximumListCount: Int
    /// Parameters on one URI or header value.
    public var maximumParameterCount: Int

    public init(maximumMessageSize: Int = 65_536, maximumHeaderCount: Int = 100, maximumLineLength: Int = 8_192,
                maximumListCount: Int = 64, maximumParameterCount: Int = 64) {
        self.maximumMessageSize = maximumMessageSize
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumLineLength = maximumLineLength
        self.maximumListCount = maximumListCount
        self.maximumParameterCount = maximumParameterCount
    }

    public static let `default` = SIPLimits()
}
