/// Bounds on media parameters that come from outside (a camera's DESCRIBE, a phone's answer, a browser's
/// offer): values past them are refused where they are parsed, so that nothing downstream (libavcodec's
/// Int32 fields, timestamp scaling) sees them.
public enum MediaLimits {
    /// RTP clock rates, in Hz: RTP's largest in use is 90 kHz; a megahertz leaves room for odd cameras.
    public static let clockRates: ClosedRange<Int> = 1...1_000_000
    /// Audio channels per stream.
    public static let channelCounts: ClosedRange<Int> = 1...8
}
