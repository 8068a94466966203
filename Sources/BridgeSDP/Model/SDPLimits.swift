/// Bounds on what the parser accepts, so that hostile input costs bounded time and memory.
/// The defaults are far above what any camera, phone or browser sends (a Chromium offer with
/// simulcast is about 10 KB and 150 lines).
public struct SDPLimits: Sendable, Hashable {
    public var maximumBytes: Int
    public var maximumLines: Int
    public var maximumLineLength: Int
    public var maximumMediaSections: Int

    public init(maximumBytes: Int = 64 * 1024, maximumLines: Int = 2000, maximumLineLength: Int = 4096,
                maximumMediaSections: Int = 64) {
        self.maximumBytes = maximumBytes
        self.maximumLines = maximumLines
        self.maximumLineLength = maximumLineLength
        self.maximumMediaSections = maximumMediaSections
    }

    public static let `default` = SDPLimits()
}
