import BridgeSDP
import Foundation

/// SDP fixtures under Tests/Fixtures/sdp: real descriptions from browsers, cameras, phones and PBXs
/// (where each came from: CAPTURED.md and SOURCES.md there).
enum SDPFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sdp")

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".sdp") }.sorted()
    }

    static func bytes(_ name: String) -> [UInt8] {
        let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : directory.appendingPathComponent(name)
        return (try? [UInt8](Data(contentsOf: url))) ?? []
    }

    static func text(_ name: String) -> String {
        String(decoding: bytes(name), as: UTF8.self)
    }

    static func parse(_ name: String) throws -> SessionDescription {
        try SessionDescription(parsing: bytes(name))
    }
}
