/// Character classes and small splitting helpers from the RFC 3261 section 25 grammar, shared by the
/// header views. Everything here works on `Substring` views of one header value and never indexes
/// past the end.
enum SIPGrammar {
    /// `token` characters (RFC 3261 section 25.1).
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-.!%*_+`'~".utf8.contains(byte)
        }
    }

    static func isToken<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenCharacter)
    }

    /// `word` characters (Call-ID), token plus separators that are not whitespace or quotes.
    static func isWordCharacter(_ byte: UInt8) -> Bool {
        isTokenCharacter(byte) || "()<>:\\\"/[]?{}".utf8.contains(byte)
    }

    static func isWhitespace(_ character: Character) -> Bool { character == " " || character == "\t" }

    static func trimmed<S: StringProtocol>(_ text: S) -> Substring where S.SubSequence == Substring {
        var result = text[...]
        while let first = result.first, isWhitespace(first) { result = result.dropFirst() }
        while let last = result.last, isWhitespace(last) { result = result.dropLast() }
        return result
    }

    /// Splits at `separator` where it is outside quoted strings and angle brackets: a header list at
    /// commas, parameters at semicolons. Empty pieces are kept (the caller decides if they are errors).
    static func split(_ text: Substring, at separator: Character) -> [Substring]? {
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var inQuotes = false
        var inBrackets = false
        while index < text.endIndex {
            let character = text[index]
            if inQuotes {
                if character == "\\" {
                    index = text.index(after: index)
                    guard index < text.endIndex else { return nil }
                } else if character == "\"" {
                    inQuotes = false
                }
            } else if character == "\"" {
                inQuotes = true
            } else if character == "<" {
                inBrackets = true
            } else if character == ">" {
                inBrackets = false
            } else if character == separator && !inBrackets {
                pieces.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        guard !inQuotes else { return nil }
        pieces.append(text[start...])
        return pieces
    }

    /// The content of a quoted string (RFC 3261 section 25.1 `quoted-string`), escapes undone; nil when the
    /// text is not exactly one quoted string.
    static func unquoted(_ text: Substring) -> String? {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return nil }
        var result = ""
        var index = text.index(after: text.startIndex)
        let end = text.index(before: text.endIndex)
        while index < end {
            var character = text[index]
            if character == "\\" {
                index = text.index(after: index)
                guard index < end else { return nil }
                character = text[index]
            } else if character == "\"" {
                return nil
            }
            result.append(character)
            index = text.index(after: index)
        }
        return result
    }

    /// `text` as a quoted string, with `"` and `\` escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }

    /// True for characters that must never reach the wire inside a header value or start line: they would
    /// end the line and let a value inject headers. (NUL may appear escaped in a quoted string, RFC 4475
    /// section 3.1.1.2, so it passes.)
    static func hasLineBreak<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.contains { $0 == 0x0D || $0 == 0x0A }
    }
}
