extension SessionDescription {
    /// Parses a description; tolerant where real devices differ (LF line endings, a missing final line
    /// ending, blank lines, trailing spaces), strict where the structure would be ambiguous.
    public init(parsing text: String, limits: SDPLimits = .default) throws(SDPError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }

    /// Parses bytes from the wire. Bytes that are not UTF-8 are an error that names the line.
    public init(parsing bytes: [UInt8], limits: SDPLimits = .default) throws(SDPError) {
        var session: [SDPLine] = []
        var media: [MediaDescription] = []
        var ending: LineEnding?
        var lineNumber = 0
        var start = 0
        var endsWithLineEnding = false

        while start < bytes.count {
            // Stop looking for the line's end past the length limit, so a huge line costs bounded time.
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") && end - start <= limits.maximumLineLength + 1 {
                end += 1
            }
            let hasNewline = end < bytes.count
            var contentEnd = end
            let hasCR = contentEnd > start && bytes[contentEnd - 1] == UInt8(ascii: "\r")
            if hasCR { contentEnd -= 1 }
            lineNumber += 1
            endsWithLineEnding = hasNewline
            if hasNewline, ending == nil { ending = hasCR ? .crlf : .lf }
            defer { start = end + 1 }

            guard lineNumber <= limits.maximumLines else {
                throw .limit(line: lineNumber, "more than \(limits.maximumLines) lines")
            }
            guard contentEnd - start <= limits.maximumLineLength else {
                throw .limit(line: lineNumber, "line is longer than \(limits.maximumLineLength) bytes")
            }
            guard end <= limits.maximumBytes else {
                throw .limit(line: lineNumber, "description is longer than \(limits.maximumBytes) bytes")
            }
            let content = bytes[start..<contentEnd]
            // Blank lines (and lines of spaces) appear in some camera answers; they carry nothing.
            if content.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }

            let line = try Self.parseLine(content, number: lineNumber)
            if session.isEmpty && media.isEmpty {
                guard line.type == "v" else { throw .malformed(line: lineNumber, "a description starts with v=0") }
            }
            if line.type == "m" {
                guard media.count < limits.maximumMediaSections else {
                    throw .limit(line: lineNumber, "more than \(limits.maximumMediaSections) media sections")
                }
                guard let section = MediaDescription(mLine: line.value) else {
                    throw .malformed(line: lineNumber, "m= needs media, port, protocol and formats, found \"\(Self.preview(line.value))\"")
                }
                media.append(section)
            } else if media.isEmpty {
                session.append(line)
            } else {
                media[media.count - 1].appendParsedLine(line)
            }
        }
        guard !session.isEmpty else { throw .malformed(line: nil, "empty description") }
        self.init(sessionLines: session, media: media, lineEnding: ending ?? .crlf, endsWithLineEnding: endsWithLineEnding)
    }

    private static func parseLine(_ content: ArraySlice<UInt8>, number: Int) throws(SDPError) -> SDPLine {
        guard content.count >= 2, let first = content.first,
              first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z"),
              content[content.startIndex + 1] == UInt8(ascii: "=")
        else {
            let text = String(decoding: content.prefix(40), as: UTF8.self)
            throw .malformed(line: number, "expected <letter>=<value>, found \"\(preview(text))\"")
        }
        let valueBytes = content.dropFirst(2)
        if let control = valueBytes.first(where: { $0 < 0x20 && $0 != UInt8(ascii: "\t") || $0 == 0x7F }) {
            throw .malformed(line: number, "control character 0x\(String(control, radix: 16)) in value")
        }
        guard let value = String(validating: valueBytes, as: UTF8.self) else {
            throw .malformed(line: number, "value is not UTF-8 text")
        }
        return SDPLine(Character(Unicode.Scalar(first)), value)
    }

    /// Up to 40 characters of untrusted text, printable, for error messages.
    static func preview(_ text: String) -> String {
        let printable = text.unicodeScalars.prefix(40).map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" }
        return String(printable) + (text.unicodeScalars.count > 40 ? "…" : "")
    }
}
