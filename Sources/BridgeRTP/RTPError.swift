/// Why bytes are not an RTP packet, in words that say what and where: `RTP byte 12: CSRC count 3 needs 24
/// bytes, 4 left`. Built without allocating; the words are made only when `description` is read, so
/// dropping a flood of bad packets costs no more than counting them.
public struct RTPError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable {
        case shorterThanFixedHeader(length: Int)
        case version(UInt8)
        case csrcList(count: Int, left: Int)
        case extensionHeader(left: Int)
        case extensionLength(needed: Int, left: Int)
        case extensionElement(id: Int, needed: Int, left: Int)
        case zeroPadding
        case padding(count: Int, left: Int)
        case elementID(Int, form: String)
        case elementLength(Int, form: String)
        case extensionTooLong(Int)
    }

    let code: Code
    /// Offset in the packet where the problem was found.
    public let offset: Int

    init(_ code: Code, at offset: Int) {
        self.code = code
        self.offset = offset
    }

    public var description: String {
        let what: String = switch code {
        case .shorterThanFixedHeader(let length): "\(length) bytes, shorter than the 12-byte fixed header"
        case .version(let version): "version \(version), expected 2"
        case .csrcList(let count, let left): "CSRC count \(count) needs \(count * 4) bytes, \(left) left"
        case .extensionHeader(let left): "extension bit set but \(left) bytes left for the 4-byte extension header"
        case .extensionLength(let needed, let left): "header extension of \(needed) bytes, \(left) left"
        case .extensionElement(let id, let needed, let left): "extension element \(id) needs \(needed) bytes, \(left) left"
        case .zeroPadding: "padding bit set with a padding count of 0"
        case .padding(let count, let left): "padding count \(count) exceeds the \(left) bytes after the header"
        case .elementID(let id, let form): "extension element id \(id) not allowed in the \(form) form"
        case .elementLength(let length, let form): "extension element of \(length) bytes does not fit the \(form) form"
        case .extensionTooLong(let length): "header extension of \(length) bytes exceeds 262140"
        }
        return "RTP byte \(offset): \(what)"
    }
}
