// swift-tools-version:6.1
// libFuzzer targets, in their own package so that normal builds never need the fuzzer runtime.
// Run with `make fuzz` (builds with -sanitize=fuzzer,address).
import Foundation
import PackageDescription

// A path dependency is named after its folder, which differs between checkouts.
let gatewayPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// Every fuzzer is a `main` handing its input to its entry in the root package's FuzzEntryPoints.
let entry: [Target.Dependency] = ["FuzzerDriver", .product(name: "FuzzEntryPoints", package: gatewayPackage)]
let parseAsLibrary: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "mediabridge-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        // The hand-over to libFuzzer's driver that every fuzzer's `main` makes.
        .target(name: "FuzzerDriver"),
        .executableTarget(name: "SDPFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "RTPFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "STUNFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "RTSPFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "SIPFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "MediaFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "TelephonyFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "SIPSessionFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "ConfigFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
        .executableTarget(name: "FramerFuzzer", dependencies: entry, swiftSettings: parseAsLibrary),
    ]
)
