import Foundation

/// What the swarm executables share on the command line: `--name value` options, counts such as
/// `10,100,500`, unbuffered progress lines, a temporary directory, and how busy the machine was.
public struct SwarmCommandLine {
    public let options: [String: String]
    let usage: String

    /// `usage` names the file whose doc comment lists the options, for the error message.
    public init(arguments: [String], usage: String) throws {
        var options: [String: String] = [:]
        var iterator = arguments.makeIterator()
        while let name = iterator.next() {
            guard name.hasPrefix("--"), let value = iterator.next() else { throw SwarmError("usage: see \(usage) (\(name)?)") }
            options[String(name.dropFirst(2))] = value
        }
        self.options = options
        self.usage = usage
    }

    public subscript(_ name: String) -> String? { options[name] }

    /// A positive integer option, or `fallback` when it is not given.
    public func integer(_ name: String, _ fallback: Int) throws -> Int {
        guard let text = options[name] else { return fallback }
        guard let value = Int(text), value > 0 else { throw SwarmError("--\(name) takes a positive integer, not \(text)") }
        return value
    }

    /// A comma-separated list of positive counts (`10,100,500`).
    public func counts(_ name: String, _ fallback: String) throws -> [Int] {
        try (options[name] ?? fallback).split(separator: ",").map { text -> Int in
            guard let count = Int(text), count > 0 else { throw SwarmError("--\(name) takes counts like \(fallback)") }
            return count
        }
    }

    /// The gateway binary (`--gateway`), checked to be executable.
    public func gatewayBinary() throws -> String {
        let path = options["gateway"] ?? ".build/release/mediabridge"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw SwarmError("no gateway binary at \(path) (swift build -c release --product mediabridge)")
        }
        return path
    }

    /// A fresh directory under the system's temporary directory, named `prefix-XXXXXX`.
    public static func makeTemporaryDirectory(prefix: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SwarmError("cannot create a temporary directory") }
        return String(cString: made)
    }

    /// Writes a line at once (unbuffered), so that progress shows also when the output goes to a file.
    public static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// `/proc/loadavg`'s three averages: other processes on the machine take CPU from the gateway and swarm.
    public static var loadAverage: String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
    }

    public static var processorCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Runs a swarm's `run`, exiting 2 when it says some N could not be measured and 1 on an error. `run`
    /// returns (rather than exits) so that its defers (temporary directory, signal handlers) run first.
    public static func main(_ name: String, _ run: ([String]) async throws -> Bool) async {
        do {
            if try await !run(Array(CommandLine.arguments.dropFirst())) { exit(2) }
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(1)
        }
    }

    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
