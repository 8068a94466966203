/// Why a SIP message, header or URI could not be parsed or used, in words that say what and where:
/// `SIP line 4: Via: missing sent-by`.
///
/// A struct over a private code so that cases can be added without breaking callers (CONVENTIONS.md).
public struct SIPError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case malformed
        case limit
        case incomplete
        case unsupported
        case state
    }

    private let code: Code
    /// 1-based line of the message head, when the problem is on one line.
    public let line: Int?
    /// The header (or element: "request line", "URI", "body") the problem is in.
    public let element: String?
    public let message: String

    private init(code: Code, line: Int?, element: String?, message: String) {
        self.code = code
        self.line = line
        self.element = element
        self.message = message
    }

    static func malformed(_ element: String?, line: Int? = nil, _ message: String) -> SIPError {
        SIPError(code: .malformed, line: line, element: element, message: message)
    }

    static func limit(_ element: String?, line: Int? = nil, _ message: String) -> SIPError {
        SIPError(code: .limit, line: line, element: element, message: message)
    }

    /// The bytes end before the message does (a stream framer waits for more).
    static func incomplete(_ message: String) -> SIPError {
        SIPError(code: .incomplete, line: nil, element: nil, message: message)
    }

    static func unsupported(_ element: String?, _ message: String) -> SIPError {
        SIPError(code: .unsupported, line: nil, element: element, message: message)
    }

    /// An operation that does not fit the state of a transaction, dialog or registration.
    static func state(_ element: String?, _ message: String) -> SIPError {
        SIPError(code: .state, line: nil, element: element, message: message)
    }

    /// The input breaks a size or count limit (as opposed to the grammar).
    public var isLimit: Bool { code == .limit }
    /// The input ended before the message did.
    public var isIncomplete: Bool { code == .incomplete }
    /// The input is not valid SIP (including limits and truncation), as opposed to valid but unusable here.
    public var isMalformed: Bool { code == .malformed || code == .limit || code == .incomplete }

    /// The same error, now said to be in `element` on `line` (views learn where they were only from the
    /// message that holds them).
    func located(element: String?, line: Int?) -> SIPError {
        SIPError(code: code, line: self.line ?? line, element: self.element ?? element, message: message)
    }

    public var description: String {
        var text = "SIP"
        if let line { text += " line \(line)" }
        text += ": "
        if let element { text += "\(element): " }
        return text + message
    }
}
