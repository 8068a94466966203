// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "mediabridge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mediabridge", targets: ["mediabridge"]),
        .library(name: "BridgeCore", targets: ["BridgeCore"]),
        .library(name: "BridgeSDP", targets: ["BridgeSDP"]),
        .library(name: "BridgeRTP", targets: ["BridgeRTP"]),
        .library(name: "BridgeMedia", targets: ["BridgeMedia"]),
        // For the fuzz package.
        .library(name: "BridgeRTSP", targets: ["BridgeRTSP"]),
        .library(name: "BridgeWebRTC", targets: ["BridgeWebRTC"]),
        .library(name: "BridgeSTUN", targets: ["BridgeSTUN"]),
        // For the benchmarks package (SRTPContext, DTLSContext to wire sessions); not API for anyone else.
        .library(name: "BridgeSRTP", targets: ["BridgeSRTP"]),
        .library(name: "BridgeDTLS", targets: ["BridgeDTLS"]),
        .library(name: "BridgeICE", targets: ["BridgeICE"]),
        .library(name: "BridgeSIP", targets: ["BridgeSIP"]),
        .library(name: "BridgeGateway", targets: ["BridgeGateway"]),
        // The fuzzers' bodies, for the fuzz package's executables and the replay test.
        .library(name: "FuzzEntryPoints", targets: ["FuzzEntryPoints"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // C libraries through pkg-config, and one shim for the macros Swift cannot import.
        .systemLibrary(name: "CBridgeOpenSSL", path: "Sources/CBridgeOpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CBridgeSRTP", path: "Sources/CBridgeSRTP", pkgConfig: "libsrtp2",
                       providers: [.apt(["libsrtp2-dev"])]),
        // NSS, which this libsrtp2 is built on: initialised by us first (see its shim).
        .systemLibrary(name: "CBridgeNSS", path: "Sources/CBridgeNSS", pkgConfig: "nss", providers: [.apt(["libnss3-dev"])]),
        .systemLibrary(name: "CBridgeFFmpeg", path: "Sources/CBridgeFFmpeg",
                       pkgConfig: "libavformat libavcodec libavutil libswresample",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswresample-dev"])]),
        .target(name: "CBridgeShim", dependencies: ["CBridgeOpenSSL", "CBridgeSRTP", "CBridgeFFmpeg"],
                path: "Sources/CBridgeShim"),

        // Protocol cores: sans-IO, no sockets, no clock.
        .target(name: "BridgeCore", dependencies: [], swiftSettings: strict),
        .target(name: "BridgeSDP", dependencies: ["BridgeCore"], swiftSettings: strict),
        .target(name: "BridgeRTP", dependencies: ["BridgeCore"], swiftSettings: strict),
        // libavformat file reader and libavcodec transcoders (AAC to Opus): frames in, frames out.
        .target(name: "BridgeMedia", dependencies: ["BridgeCore", "BridgeRTP", "CBridgeFFmpeg", "CBridgeShim"],
                swiftSettings: strict),
        .target(name: "BridgeSTUN", dependencies: ["BridgeCore", "CBridgeShim"],
                swiftSettings: strict),
        .target(name: "BridgeICE", dependencies: ["BridgeCore", "BridgeSTUN"], swiftSettings: strict),
        // SIP messages, transactions, dialogs, digest (RFC 3261): sans-IO like the other cores.
        .target(name: "BridgeSIP",
                dependencies: ["BridgeCore", "BridgeSDP", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        .target(name: "BridgeSRTP", dependencies: ["BridgeCore", "CBridgeSRTP", "CBridgeNSS", "CBridgeShim"], swiftSettings: strict),
        .target(name: "BridgeDTLS", dependencies: ["BridgeCore", "BridgeSRTP", "CBridgeOpenSSL", "CBridgeShim"],
                swiftSettings: strict),
        .target(name: "BridgeWebRTC", dependencies: ["BridgeCore", "BridgeSTUN", "BridgeICE", "BridgeDTLS", "BridgeSRTP"],
                swiftSettings: strict),
        // RTSP client core (messages, interleaved framing, Basic/Digest, session state machine).
        .target(name: "BridgeRTSP", dependencies: ["BridgeCore", "BridgeSDP", "BridgeRTP",
                                                   .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),

        // The NIO / HTTP edge.
        .target(
            name: "BridgeGateway",
            dependencies: [
                "BridgeCore", "BridgeSDP", "BridgeRTP", "BridgeRTSP", "BridgeMedia", "BridgeWebRTC", "BridgeDTLS", "BridgeSIP", "CBridgeShim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "mediabridge",
            dependencies: [
                "BridgeGateway", "BridgeSDP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        // Each libFuzzer target's body (Fuzz/Sources/* only hand over to it): what it checks, without the
        // fuzzer runtime, so that the replay test runs them over the seeds in every build.
        .target(name: "FuzzEntryPoints",
                dependencies: ["BridgeCore", "BridgeSDP", "BridgeRTP", "BridgeMedia", "BridgeSTUN", "BridgeICE", "BridgeRTSP",
                               "BridgeSIP", "BridgeWebRTC", "BridgeGateway"],
                swiftSettings: strict),

        .testTarget(name: "BridgeCoreTests", dependencies: ["BridgeCore"], swiftSettings: strict),
        .testTarget(name: "BridgeSDPTests", dependencies: ["BridgeSDP"], swiftSettings: strict),
        .testTarget(name: "BridgeRTPTests", dependencies: ["BridgeRTP"], swiftSettings: strict),
        .testTarget(name: "BridgeMediaTests", dependencies: ["BridgeMedia", "BridgeRTP", "CBridgeFFmpeg", "CBridgeShim"],
                    swiftSettings: strict),
        .testTarget(name: "BridgeSTUNTests", dependencies: ["BridgeSTUN"], swiftSettings: strict),
        .testTarget(name: "BridgeICETests", dependencies: ["BridgeICE", "BridgeSTUN"], swiftSettings: strict),
        .testTarget(name: "BridgeSIPTests", dependencies: ["BridgeSIP"], swiftSettings: strict),
        .testTarget(name: "BridgeSRTPTests", dependencies: ["BridgeSRTP"], swiftSettings: strict),
        .testTarget(name: "BridgeDTLSTests", dependencies: ["BridgeDTLS", "BridgeSRTP"], swiftSettings: strict),
        .testTarget(name: "BridgeWebRTCTests", dependencies: ["BridgeWebRTC"], swiftSettings: strict),
        .testTarget(name: "BridgeRTSPTests", dependencies: ["BridgeRTSP", "BridgeRTP", "BridgeCore"], swiftSettings: strict),
        // RTSPSource against a real gst-rtsp-server (Tests/Interop/rtsp_camera.py).
        // Test peers both interop targets start (the gst-rtsp-server camera).
        .target(name: "InteropSupport", dependencies: ["BridgeCore"], path: "Tests/InteropSupport", swiftSettings: strict),
        .testTarget(name: "RTSPInteropTests", dependencies: ["BridgeGateway", "BridgeRTP", "BridgeCore", "BridgeMedia", "InteropSupport",
                                                           .product(name: "NIOCore", package: "swift-nio"),
                                                           .product(name: "NIOPosix", package: "swift-nio")],
                    swiftSettings: strict),
        // Real peers (aiortc, browsers, RTSP servers, SIP phones) against the built gateway binary; sipp
        // against BridgeSIP's user agent directly.
        .testTarget(name: "InteropTests", dependencies: ["BridgeSIP", "InteropSupport"], swiftSettings: strict),
        .testTarget(name: "FuzzEntryPointsTests", dependencies: ["FuzzEntryPoints", "BridgeSIP"], swiftSettings: strict),
        .testTarget(
            name: "BridgeGatewayTests",
            dependencies: [
                "BridgeGateway", "BridgeSIP", "CBridgeShim", "CBridgeOpenSSL", "CBridgeSRTP", "CBridgeFFmpeg",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
    ]
)
