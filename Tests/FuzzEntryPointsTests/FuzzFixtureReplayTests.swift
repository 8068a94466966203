import BridgeSIP
import Foundation
import FuzzEntryPoints
import Testing

/// Every fuzz entry over its seeds (Tests/Fixtures/fuzz/<name>/) and the fixtures its fuzzer is seeded with,
/// then over a few deterministic mutations of each: the libFuzzer targets' checks in every `swift test`, without
/// the fuzzer runtime. A crasher committed to a seed folder stays fixed this way.
struct FuzzFixtureReplayTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    struct Target: Sendable, CustomTestStringConvertible {
        var name: String
        var run: @Sendable ([UInt8]) -> FuzzFindings
        /// Fixture folders and the file name suffixes taken from each.
        var sources: [(folder: String, suffix: String)]
        /// Prefixes put in front of the existing fixtures, for entries whose first byte picks a target.
        var selectors: [[UInt8]] = [[]]
        /// Kept small: the debug build parses slowly, and the whole suite stays within a second or two.
        var mutationsPerSeed = 60

        var testDescription: String { name }
    }

    static let targets: [Target] = [
        Target(name: "sdp", run: SDPFuzzEntry.run, sources: [("sdp", ".sdp")], mutationsPerSeed: 10),
        Target(name: "rtp", run: RTPFuzzEntry.run, sources: [("rtp", ".bin")]),
        Target(name: "stun", run: STUNFuzzEntry.run, sources: [("stun", ".bin")]),
        Target(name: "rtsp", run: RTSPFuzzEntry.run, sources: [("sdp", ".describe.txt"), ("sdp", ".sdp")],
               mutationsPerSeed: 8),
        Target(name: "sip", run: SIPFuzzEntry.run, sources: [("sip", ".sip"), ("fuzz/sip", ".bin")], mutationsPerSeed: 15),
        Target(name: "media", run: MediaFuzzEntry.run, sources: [("fuzz/media", ".bin"), ("rtp", ".bin")],
               selectors: (0..<MediaFuzzEntry.targetCount).map { [UInt8($0)] }),
        Target(name: "telephony", run: TelephonyFuzzEntry.run, sources: [("fuzz/telephony", ".bin"), ("rtp", ".bin")]),
        Target(name: "sip-session", run: SIPSessionFuzzEntry.run, sources: [("fuzz/sip-session", ".txt"), ("sip", ".sip")],
               mutationsPerSeed: 10),
        Target(name: "config", run: ConfigFuzzEntry.run, sources: [("fuzz/config", ".bin"), ("config", ".yaml")],
               selectors: [[0]], mutationsPerSeed: 30),
        Target(name: "framer", run: FramerFuzzEntry.run, sources: [("fuzz/framer", ".bin"), ("stun", ".bin"), ("rtp", ".bin")]),
    ]

    static func seeds(for target: Target) throws -> [(name: String, bytes: [UInt8])] {
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (folder, suffix) in target.sources {
            let directory = fixtures.appendingPathComponent(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(suffix) }.sorted()
            for name in names {
                let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
                // The seed folders are written for their entry; other fixtures get each selector in front.
                let prefixes = folder.hasPrefix("fuzz/") ? [[]] : target.selectors
                for prefix in prefixes { seeds.append(("\(folder)/\(name)", prefix + bytes)) }
            }
        }
        return seeds
    }

    @Test(arguments: targets)
    func replaysSeedsAndMutations(_ target: Target) throws {
        let seeds = try Self.seeds(for: target)
        #expect(!seeds.isEmpty, "no seeds for \(target.name)")
        var random = SIPSeededRandom(seed: 0x4D42_4655_5A5A)
        var replayed = 0
        var failures: [String] = []
        for seed in seeds {
            var inputs = [seed.bytes]
            for _ in 0..<target.mutationsPerSeed { inputs.append(Self.mutate(seed.bytes, &random)) }
            for input in inputs {
                replayed += 1
                let findings = target.run(input)
                if !findings.isEmpty, failures.count < 5 {
                    failures.append("\(seed.name) (\(input.count) bytes, \(Hex(input))): \(findings.messages.joined(separator: "; "))")
                }
            }
        }
        #expect(replayed >= seeds.count * (target.mutationsPerSeed + 1))
        #expect(failures.isEmpty, "\(target.name): \(failures.joined(separator: "\n"))")
    }

    /// One to four of: flip a bit, set a byte, insert a byte, delete a run, cut the tail, repeat a run.
    static func mutate(_ seed: [UInt8], _ random: inout SIPSeededRandom) -> [UInt8] {
        var bytes = seed
        func below(_ bound: Int) -> Int { Int.random(in: 0..<max(1, bound), using: &random) }
        for _ in 0...below(4) {
            let index = below(bytes.count)
            switch below(6) {
            case 0 where !bytes.isEmpty: bytes[index] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty: bytes[index] = [0, 0xFF, 0x7F, 0x80, UInt8(below(256))][below(5)]
            case 2: bytes.insert(UInt8(below(256)), at: index)
            case 3 where !bytes.isEmpty: bytes.removeSubrange(index..<min(bytes.count, index + 1 + below(16)))
            case 4: bytes.removeLast(bytes.count - index)
            case 5 where !bytes.isEmpty:
                let run = bytes[index..<min(bytes.count, index + 1 + below(32))]
                bytes.insert(contentsOf: run, at: below(bytes.count + 1))
            default: bytes.append(UInt8(below(256)))
            }
        }
        return bytes
    }
}

/// An input as hex, at most 64 bytes of it, for a failure message that can be pasted into a seed.
struct Hex: CustomStringConvertible {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var description: String {
        bytes.prefix(64).map { String(format: "%02x", $0) }.joined() + (bytes.count > 64 ? "…" : "")
    }
}
