// swift-tools-version:6.1
// Benchmarks live in their own package so that the gateway's build and tests never compile the
// benchmark framework. Run them with `make bench`.
import Foundation
import PackageDescription

// A path dependency is named after its folder, which differs between checkouts.
let gatewayPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "mediabridge-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "ConfigBenchmarks",
            dependencies: [
                .product(name: "BridgeGateway", package: gatewayPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ConfigBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "SDPBenchmarks",
            dependencies: [
                .product(name: "BridgeSDP", package: gatewayPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SDPBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "RTPBenchmarks",
            dependencies: [
                .product(name: "BridgeRTP", package: gatewayPackage),
                .product(name: "BridgeCore", package: gatewayPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RTPBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "MediaBenchmarks",
            dependencies: [
                .product(name: "BridgeCore", package: gatewayPackage),
                .product(name: "BridgeRTP", package: gatewayPackage),
                .product(name: "BridgeMedia", package: gatewayPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/MediaBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // Raw libsrtp2 called from C: the baseline TransportBenchmarks compares SRTPContext against.
        .target(
            name: "CSRTPBaseline",
            path: "Benchmarks/CSRTPBaseline",
            linkerSettings: [.linkedLibrary("srtp2")]),
        .executableTarget(
            name: "TransportBenchmarks",
            dependencies: [
                "CSRTPBaseline",
                .product(name: "BridgeCore", package: gatewayPackage),
                .product(name: "BridgeSRTP", package: gatewayPackage),
                .product(name: "BridgeSTUN", package: gatewayPackage),
                .product(name: "BridgeDTLS", package: gatewayPackage),
                .product(name: "BridgeICE", package: gatewayPackage),
                .product(name: "BridgeWebRTC", package: gatewayPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TransportBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // What the swarm benchmarks share: the gateway as a child process, /proc readings, client-role
        // WebRTC sessions with loss counting, the command line and the result table.
        .target(
            name: "SwarmSupport",
            dependencies: [
                .product(name: "BridgeCore", package: gatewayPackage),
                .product(name: "BridgeSDP", package: gatewayPackage),
                .product(name: "BridgeDTLS", package: gatewayPackage),
                .product(name: "BridgeICE", package: gatewayPackage),
                .product(name: "BridgeWebRTC", package: gatewayPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Fanout/SwarmSupport"),
        // Fan-out: the real gateway binary against an in-process swarm of client-role WebRTC sessions
        // (ICE, DTLS, SRTP decrypt, loss per SSRC). A plain executable: `make bench-fanout`. Not under
        // Benchmarks/Benchmarks/: the benchmark plugin runs every executable target in a folder named Benchmarks.
        .executableTarget(
            name: "FanoutSwarm",
            dependencies: [
                "SwarmSupport",
                .product(name: "BridgeCore", package: gatewayPackage),
                .product(name: "BridgeSDP", package: gatewayPackage),
                .product(name: "BridgeDTLS", package: gatewayPackage),
                .product(name: "BridgeICE", package: gatewayPackage),
                .product(name: "BridgeWebRTC", package: gatewayPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Fanout/FanoutSwarm"),
        // Concurrent bridged calls: the real gateway binary with N call routes, each called by an in-process
        // SIP phone (UAC + PCMU RTP) and answered by an in-process browser (call page WebSocket + client-role
        // WebRTC session). `make bench-calls`.
        .executableTarget(
            name: "CallSwarm",
            dependencies: [
                "SwarmSupport",
                .product(name: "BridgeCore", package: gatewayPackage),
                .product(name: "BridgeSDP", package: gatewayPackage),
                .product(name: "BridgeSIP", package: gatewayPackage),
                .product(name: "BridgeMedia", package: gatewayPackage),
                .product(name: "BridgeRTP", package: gatewayPackage),
                .product(name: "BridgeDTLS", package: gatewayPackage),
                .product(name: "BridgeICE", package: gatewayPackage),
                .product(name: "BridgeWebRTC", package: gatewayPackage),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Fanout/CallSwarm"),
    ]
)
