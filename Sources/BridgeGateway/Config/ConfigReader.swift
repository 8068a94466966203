import Foundation
import Yams

/// Walks a composed YAML tree and collects every problem with its path and line, so that validation
/// reports all of them at once instead of stopping at the first.
///
/// Scalars pass through `${NAME}` substitution from `environment` before they are read; `$${` writes a
/// literal `${`.
final class ConfigReader {
    private(set) var problems: [ConfigProblem] = []
    private let environment: [String: String]

    init(environment: [String: String]) {
        self.environment = environment
    }

    func report(_ message: String, at path: ConfigPath, node: Node?) {
        problems.append(ConfigProblem(path: path, message: message, line: node?.mark?.line))
    }

    /// A YAML mapping whose keys were checked against the allowed ones.
    struct Mapping {
        let path: ConfigPath
        let node: Node
        private(set) var values: [String: Node] = [:]

        init(path: ConfigPath, node: Node, values: [String: Node]) {
            self.path = path
            self.node = node
            self.values = values
        }

        /// The value under `key`; nil when absent or written as YAML null (`key:` with nothing after it).
        subscript(key: String) -> Node? {
            guard let value = values[key] else { return nil }
            if case .scalar(let scalar) = value, scalar.tag == .implicit || scalar.tag.rawValue == Tag.Name.null.rawValue,
               scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return nil
            }
            return value
        }
    }

    /// Reads a mapping and reports unknown keys (with a did-you-mean) and non-string keys.
    /// (Yams refuses duplicate keys while parsing.)
    func mapping(_ node: Node, at path: ConfigPath, allowedKeys: [String]) -> Mapping? {
        guard case .mapping(let mapping) = node else {
            report("expected a mapping of keys (\(allowedKeys.joined(separator: ", "))), found \(kind(of: node))",
                   at: path, node: node)
            return nil
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                report("keys must be plain words, found \(kind(of: keyNode))", at: path, node: keyNode)
                continue
            }
            let key = keyScalar.string
            let keyPath = path.appending(key)
            if !allowedKeys.contains(key) {
                report("unknown key \"\(key)\"\(DidYouMean.hint(for: key, among: allowedKeys))", at: keyPath, node: keyNode)
                continue
            }
            values[key] = value
        }
        return Mapping(path: path, node: node, values: values)
    }

    func sequence(_ node: Node, at path: ConfigPath) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report("expected a list, found \(kind(of: node))", at: path, node: node)
            return nil
        }
        return Array(sequence)
    }

    /// A scalar as text, after `${NAME}` substitution.
    func string(_ node: Node, at path: ConfigPath) -> String? {
        guard case .scalar(let scalar) = node else {
            report("expected a single value, found \(kind(of: node))", at: path, node: node)
            return nil
        }
        return substitute(scalar.string, at: path, node: node)
    }

    /// A non-empty string.
    func nonEmptyString(_ node: Node, at path: ConfigPath) -> String? {
        guard let text = string(node, at: path) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            report("must not be empty", at: path, node: node)
            return nil
        }
        return text
    }

    /// `section[key]` as a whole number in `range` into `value`; absent or invalid (reported) leaves it.
    func limit(_ section: Mapping, _ key: String, in range: ClosedRange<Int>, into value: inout Int) {
        guard let node = section[key], let number = integer(node, at: section.path.appending(key), in: range) else { return }
        value = number
    }

    /// `section[key]` as a duration of at least `minimum` into `value`; absent or invalid (reported) leaves it.
    func limit(_ section: Mapping, _ key: String, atLeast minimum: Duration, into value: inout Duration) {
        let path = section.path.appending(key)
        guard let node = section[key], let duration = duration(node, at: path) else { return }
        guard duration >= minimum else {
            report("must be at least \(minimum)", at: path, node: node)
            return
        }
        value = duration
    }

    func integer(_ node: Node, at path: ConfigPath, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Int(text) else {
            report("expected a whole number, found \"\(text)\"", at: path, node: node)
            return nil
        }
        guard range.contains(value) else {
            report("\(value) is out of range \(range.lowerBound)...\(range.upperBound)", at: path, node: node)
            return nil
        }
        return value
    }

    func bool(_ node: Node, at path: ConfigPath) -> Bool? {
        guard let text = string(node, at: path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report("expected true or false, found \"\(text)\"", at: path, node: node)
            return nil
        }
    }

    /// One of a fixed set of words, such as `mode: on-demand`.
    func choice<Value: RawRepresentable & CaseIterable>(_ node: Node, at path: ConfigPath, as type: Value.Type) -> Value?
    where Value.RawValue == String {
        guard let text = string(node, at: path) else { return nil }
        if let value = Value(rawValue: text) { return value }
        let choices = Value.allCases.map(\.rawValue)
        report("\"\(text)\" is not one of \(choices.joined(separator: ", "))\(DidYouMean.hint(for: text, among: choices))",
               at: path, node: node)
        return nil
    }

    /// A duration: `500ms`, `10s`, `2m`, or a bare number of seconds.
    func duration(_ node: Node, at path: ConfigPath) -> Duration? {
        guard let text = string(node, at: path) else { return nil }
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("", 1)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let number = Double(text.dropLast(unit.suffix.count)), number >= 0, number.isFinite,
                  number * unit.scale <= 86_400 else { continue }
            return .milliseconds(Int64((number * unit.scale * 1000).rounded()))
        }
        report("expected a duration such as 500ms, 10s or 2m, found \"\(text)\"", at: path, node: node)
        return nil
    }

    /// A scalar or a list of scalars, as a list.
    func stringList(_ node: Node, at path: ConfigPath) -> [String]? {
        if case .scalar = node { return nonEmptyString(node, at: path).map { [$0] } }
        guard let items = sequence(node, at: path) else { return nil }
        let values = items.enumerated().map { nonEmptyString($1, at: path.appending(index: $0)) }
        return values.contains(where: { $0 == nil }) ? nil : values.compactMap { $0 }
    }

    // MARK: Environment substitution

    private func substitute(_ text: String, at path: ConfigPath, node: Node) -> String? {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        var missing: [String] = []
        while let start = rest.range(of: "${") {
            if rest[..<start.lowerBound].hasSuffix("$") {
                // `$${` is an escaped, literal `${`.
                result += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                report("unterminated ${ in value", at: path, node: node)
                return nil
            }
            let name = String(rest[start.upperBound..<end])
            guard Self.isVariableName(name) else {
                report("\"${\(name)}\" is not a valid environment variable reference", at: path, node: node)
                return nil
            }
            if let value = environment[name] {
                result += value
            } else {
                missing.append(name)
            }
            rest = rest[rest.index(after: end)...]
        }
        result += rest
        guard missing.isEmpty else {
            let names = missing.joined(separator: ", ")
            report("environment variable \(names) is not set", at: path, node: node)
            return nil
        }
        return result
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private func kind(of node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "the value \"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
