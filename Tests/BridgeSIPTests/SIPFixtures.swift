import BridgeCore
import Foundation

/// SIP fixtures under Tests/Fixtures/sip (sources: SOURCES.md there).
enum SIPFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sip")

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".sip") }.sorted()
    }

    static var validNames: [String] { names.filter { !$0.hasSuffix(".invalid.sip") } }
    static var invalidNames: [String] { names.filter { $0.hasSuffix(".invalid.sip") } }

    static func bytes(_ name: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))) ?? []
    }
}

/// A deterministic generator (SplitMix64) for tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension MonotonicInstant {
    static func seconds(_ value: Double) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: UInt64(value * 1e9))
    }
}
