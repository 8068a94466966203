/// Where a value sits in the YAML file: `routes[2].source`.
public struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    public static let root = ConfigPath()

    func appending(_ key: String) -> ConfigPath {
        ConfigPath(components: components + [.key(key)])
    }

    func appending(index: Int) -> ConfigPath {
        ConfigPath(components: components + [.index(index)])
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text.isEmpty ? "config" : text
    }
}

/// One thing wrong with a config file, with the YAML path and line it is about.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public let path: ConfigPath
    public let message: String
    /// 1-based line in the file, when the problem is about a place in it.
    public let line: Int?

    public init(path: ConfigPath, message: String, line: Int?) {
        self.path = path
        self.message = message
        self.line = line
    }

    /// `routes[2].source: unsupported scheme "htp" (line 14)`
    public var description: String {
        guard let line else { return "\(path): \(message)" }
        return "\(path): \(message) (line \(line))"
    }
}

/// Why a config could not be used. `fileUnusable` (missing, unreadable, not YAML) is exit code 2,
/// `invalid` (a YAML file with wrong values) is exit code 1.
public enum ConfigError: Error, Sendable, CustomStringConvertible {
    case fileUnusable(path: String, reason: String)
    case invalid(path: String, problems: [ConfigProblem])

    public var description: String {
        switch self {
        case .fileUnusable(let path, let reason):
            return "\(path): \(reason)"
        case .invalid(let path, let problems):
            let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
            return (["\(path): \(count)"] + problems.map { "  \($0)" }).joined(separator: "\n")
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .fileUnusable: return 2
        case .invalid: return 1
        }
    }
}
