/// One media section: the `m=` line and the lines under it, in order.
///
/// `m=<media> <port>[/<count>] <proto> <fmt> ...` (RFC 8866 section 5.14)
public struct MediaDescription: Sendable, Hashable {
    /// The `m=` line first, then the section's `i=`, `c=`, `b=`, `k=`, `a=` lines as written.
    public private(set) var lines: [SDPLine]

    public var media: String
    public var port: Int
    public var portCount: Int?
    public var proto: String
    /// Payload types (RTP profiles) or format names, as on the `m=` line.
    public var formats: [String]

    /// A new section with just its `m=` line.
    public init(media: String, port: Int, portCount: Int? = nil, proto: String, formats: [String]) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.lines = []
        self.lines = [SDPLine("m", mLineValue)]
    }

    /// Parses the value of an `m=` line; nil when it lacks media, port, protocol or formats.
    init?(mLine value: String) {
        let fields = value.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 3 else { return nil }
        let portField = fields[1].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let port = Int(portField[0]), (0...65535).contains(port) else { return nil }
        var count: Int?
        if portField.count == 2 {
            guard let parsed = Int(portField[1]), parsed > 0 else { return nil }
            count = parsed
        }
        media = String(fields[0])
        self.port = port
        portCount = count
        proto = String(fields[2])
        formats = fields.dropFirst(3).map(String.init)
        lines = [SDPLine("m", value)]
    }

    var mLineValue: String {
        let portText = portCount.map { "\(port)/\($0)" } ?? "\(port)"
        return ([media, portText, proto] + formats).joined(separator: " ")
    }

    /// Lines after the `m=` line.
    public var body: ArraySlice<SDPLine> { lines.dropFirst() }

    mutating func appendParsedLine(_ line: SDPLine) {
        lines.append(line)
    }

    public mutating func append(_ line: SDPLine) {
        lines.append(line)
    }

    /// Rewrites the `m=` line from the fields (after changing `port`, `formats`, …).
    public mutating func updateMLine() {
        lines[0] = SDPLine("m", mLineValue)
    }

    /// Whether the section was rejected or disabled (port 0, RFC 3264 section 6).
    public var isRejected: Bool { port == 0 }

    // MARK: Attributes

    public var attributes: [SDPAttribute] { body.compactMap(\.attribute) }

    /// The value of the first `a=name:value`; "" for a flag attribute.
    public func attribute(_ name: String) -> String? {
        for line in body where line.type == "a" {
            if let attribute = line.attribute, attribute.name == name { return attribute.value ?? "" }
        }
        return nil
    }

    public func attributeValues(_ name: String) -> [String] {
        attributes.filter { $0.name == name }.map { $0.value ?? "" }
    }

    public func hasAttribute(_ name: String) -> Bool {
        attribute(name) != nil
    }

    public mutating func appendAttribute(_ name: String, _ value: String? = nil) {
        lines.append(.attribute(name, value))
    }

    public mutating func removeAttributes(where shouldRemove: (SDPAttribute) -> Bool) {
        var kept = [lines[0]]
        for line in lines.dropFirst() {
            if let attribute = line.attribute, shouldRemove(attribute) { continue }
            kept.append(line)
        }
        lines = kept
    }

    public mutating func removeAttributes(named names: Set<String>) {
        removeAttributes { names.contains($0.name) }
    }

    /// The first line of a type in this section (`c`, `b`, `i`).
    public func value(of type: Character) -> String? {
        body.first { $0.type == type }?.value
    }

    public func values(of type: Character) -> [String] {
        body.filter { $0.type == type }.map(\.value)
    }
}
