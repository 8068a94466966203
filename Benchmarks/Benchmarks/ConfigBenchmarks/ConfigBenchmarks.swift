import Benchmark
import BridgeCore
import BridgeGateway
import Foundation

/// Start-up cost of reading the config, and the redaction every logged URL goes through.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(2))

    let reference = (try? String(contentsOfFile: "../config/mediabridge.reference.yaml", encoding: .utf8)) ?? ""
    let loader = ConfigLoader(environment: ["FRONT_DOOR_PASSWORD": "pw", "FRONT_DOOR_TOKEN": "t"], isReadableFile: { _ in true })

    Benchmark("Config: parse and validate the reference file") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? loader.parse(yaml: reference))
        }
    }

    Benchmark("URL redaction") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(URLRedaction.redactingPassword(in: "rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101"))
        }
    }
}
