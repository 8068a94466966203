/// A pattern for `calls[].allow_uris`: a `sip:`/`sips:` URI where `*` stands for any run of characters
/// (`sip:*@pbx.example.org`, `sips:*@*.example.org:5061`), compared without regard to case.
public struct URIPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let pieces: [Substring]

    /// nil unless `pattern` starts with `sip:` or `sips:` (after which `*` may stand anywhere).
    public init?(_ pattern: String) {
        let lower = pattern.lowercased()
        guard lower.hasPrefix("sip:") || lower.hasPrefix("sips:"), lower.count <= 256,
              !lower.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else { return nil }
        self.pattern = pattern
        pieces = lower.split(separator: "*", omittingEmptySubsequences: false)
    }

    /// Whether `uri` (a URI's text) matches: the pieces between the stars appear in order, the first at the
    /// start and the last at the end. Linear in the URI's length per piece, no backtracking.
    public func matches(_ uri: String) -> Bool {
        var rest = Substring(uri.lowercased())
        guard let first = pieces.first, rest.hasPrefix(first) else { return false }
        rest = rest.dropFirst(first.count)
        if pieces.count == 1 { return rest.isEmpty }
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let found = rest.range(of: piece) else { return false }
            rest = rest[found.upperBound...]
        }
        let last = pieces[pieces.count - 1]
        return rest.count >= last.count && rest.hasSuffix(last)
    }

    public var description: String { pattern }
}
