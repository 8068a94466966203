import ArgumentParser
import BridgeGateway
import Foundation
import Logging
import Metrics

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Start the gateway with a config file.")

    @Option(name: .shortAndLong, help: "The YAML config file.")
    var config = "config/mediabridge.yaml"

    func run() async throws {
        let gatewayConfig: GatewayConfig
        do {
            gatewayConfig = try ConfigLoader().load(path: config)
        } catch {
            printToStandardError(error.description)
            throw ExitCode(error.exitCode)
        }
        let level = gatewayConfig.log.level.loggerLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "mediabridge")
        logger.logLevel = level
        let metrics = GatewayMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        do {
            try await Gateway(config: gatewayConfig, metrics: metrics, logger: logger).run()
        } catch {
            printToStandardError(error.description)
            throw ExitCode(1)
        }
    }
}

func printToStandardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
