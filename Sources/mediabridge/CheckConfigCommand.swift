import ArgumentParser
import BridgeGateway

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a config file: print every problem, or \"ok\" and the routes.",
        discussion: "Exit codes: 0 valid, 1 invalid values, 2 missing, unreadable or not YAML.")

    @Argument(help: "The YAML config file.")
    var file: String

    func run() throws {
        do {
            let config = try ConfigLoader().load(path: file)
            print(ConfigSummary.describe(config))
        } catch {
            printToStandardError(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}
