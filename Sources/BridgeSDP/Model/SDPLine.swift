/// One `<type>=<value>` line of a session description (RFC 8866 section 5), kept exactly as written.
public struct SDPLine: Sendable, Hashable, CustomStringConvertible {
    /// The one-letter type: `v`, `o`, `s`, `c`, `b`, `t`, `m`, `a`, …
    public var type: Character
    /// Everything after the `=`, as written (no trimming, so that writing gives back the same text).
    public var value: String

    public init(_ type: Character, _ value: String) {
        self.type = type
        self.value = value
    }

    /// An attribute line: `a=name:value`, or `a=name` for a flag.
    public static func attribute(_ name: String, _ value: String? = nil) -> SDPLine {
        SDPLine("a", value.map { "\(name):\($0)" } ?? name)
    }

    /// The attribute's name and value when this is an `a=` line.
    public var attribute: SDPAttribute? {
        type == "a" ? SDPAttribute(line: value) : nil
    }

    public var description: String { "\(type)=\(value)" }
}

/// `a=name:value` split at the first colon. Names compare case-sensitively, as RFC 8866 registers them.
public struct SDPAttribute: Sendable, Hashable {
    public var name: String
    public var value: String?

    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }

    init(line: String) {
        if let colon = line.firstIndex(of: ":") {
            name = String(line[..<colon])
            value = String(line[line.index(after: colon)...])
        } else {
            name = line
            value = nil
        }
    }
}
