/// A session description (RFC 8866 / 4566) that keeps every line in order, so that parsing and writing
/// gives back the text it came from. Typed views (`rtpMaps`, `fingerprint`, `candidates`, …) read the lines
/// on demand; builders append lines.
public struct SessionDescription: Sendable, Hashable {
    public enum LineEnding: String, Sendable, Hashable {
        case crlf = "\r\n"
        case lf = "\n"
    }

    /// Lines before the first `m=`: `v=`, `o=`, `s=`, `c=`, `t=`, session-level `a=` …
    public var sessionLines: [SDPLine]
    public var media: [MediaDescription]
    /// The line ending the input used (CRLF per the RFC; some cameras send LF).
    public var lineEnding: LineEnding
    /// Whether the last line ended with a line ending (a few devices omit the final one).
    public var endsWithLineEnding: Bool

    public init(sessionLines: [SDPLine] = [], media: [MediaDescription] = [], lineEnding: LineEnding = .crlf,
                endsWithLineEnding: Bool = true) {
        self.sessionLines = sessionLines
        self.media = media
        self.lineEnding = lineEnding
        self.endsWithLineEnding = endsWithLineEnding
    }

    /// Every line, session then media sections.
    public var allLines: [SDPLine] {
        sessionLines + media.flatMap(\.lines)
    }

    /// The text of the description.
    public func write() -> String {
        var text = ""
        let lines = allLines
        text.reserveCapacity(lines.reduce(0) { $0 + $1.value.utf8.count + 4 })
        for (index, line) in lines.enumerated() {
            text.append(line.type)
            text.append("=")
            text.append(line.value)
            if index < lines.count - 1 || endsWithLineEnding {
                text.append(lineEnding.rawValue)
            }
        }
        return text
    }

    // MARK: Session-level attributes

    public var attributes: [SDPAttribute] { sessionLines.compactMap(\.attribute) }

    /// The value of the first session-level `a=name:value`; "" for a flag.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }.map { $0.value ?? "" }
    }

    public func hasAttribute(_ name: String) -> Bool {
        attributes.contains { $0.name == name }
    }

    public mutating func appendAttribute(_ name: String, _ value: String? = nil) {
        sessionLines.append(.attribute(name, value))
    }

    public mutating func removeAttributes(named name: String) {
        sessionLines.removeAll { $0.attribute?.name == name }
    }

    /// The first session-level line of a type (`o`, `s`, `c`, `t`).
    public func value(of type: Character) -> String? {
        sessionLines.first { $0.type == type }?.value
    }
}
