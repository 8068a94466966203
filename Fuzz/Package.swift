// swift-tools-version:6.1
// libFuzzer targets, in their own package so that normal builds never need the fuzzer runtime.
// Run with `make fuzz` (builds with -sanitize=fuzzer,address).
import Foundation
import PackageDescription

// A path dependency is named after its folder, which differs between checkouts.
let gatewayPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "mediabridge-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        // The hand-over to libFuzzer's driver that every fuzzer's `main` makes.
        .target(name: "FuzzerDriver"),
        .executableTarget(
            name: "SDPFuzzer",
            dependencies: ["FuzzerDriver", .product(name: "BridgeSDP", package: gatewayPackage)],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "RTPFuzzer",
            dependencies: [
                "FuzzerDriver",
                .product(name: "BridgeRTP", package: gatewayPackage),
                .product(name: "BridgeCore", package: gatewayPackage),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "STUNFuzzer",
            dependencies: [
                "FuzzerDriver",
                .product(name: "BridgeSTUN", package: gatewayPackage),
                .product(name: "BridgeICE", package: gatewayPackage),
                .product(name: "BridgeCore", package: gatewayPackage),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "RTSPFuzzer",
            dependencies: [
                "FuzzerDriver",
                .product(name: "BridgeRTSP", package: gatewayPackage),
                .product(name: "BridgeCore", package: gatewayPackage),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "SIPFuzzer",
            dependencies: ["FuzzerDriver", .product(name: "BridgeSIP", package: gatewayPackage)],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ]
)
