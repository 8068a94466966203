import BridgeSDP
import Foundation
import SwarmSupport

/// A real Chromium WHEP offer (`Tests/Fixtures/sdp/chromium-whep-offer.sdp`) turned into a video-only
/// template: per viewer, its ICE credentials and the swarm's DTLS fingerprint replace the browser's, and the
/// browser's candidates are dropped (the gateway is ICE-lite and learns each viewer's address from its checks).
struct OfferTemplate: Sendable {
    private let lines: [String]

    /// The fixture, found relative to this source file (Benchmarks/Fanout/FanoutSwarm → repository root).
    static var defaultPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/sdp/chromium-whep-offer.sdp").path
    }

    init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SwarmError("cannot read the offer template \(path)")
        }
        var kept: [String] = []
        var mediaSections = 0
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = String(raw)
            if line.hasPrefix("m=") { mediaSections += 1 }
            // Video only: the first m-section; audio is off on the bench route.
            guard mediaSections <= 1 else { continue }
            if line.hasPrefix("m=") && !line.hasPrefix("m=video") { throw SwarmError("offer template: first m-section is not video") }
            if line.hasPrefix("a=candidate:") || line.hasPrefix("a=ice-ufrag:") || line.hasPrefix("a=ice-pwd:")
                || line.hasPrefix("a=fingerprint:") {
                continue
            }
            kept.append(line.hasPrefix("a=group:BUNDLE") ? "a=group:BUNDLE 0" : line)
        }
        guard mediaSections >= 1 else { throw SwarmError("offer template \(path) has no m-section") }
        lines = kept
    }

    /// The offer for one viewer; checked by the project's own parser before it is sent.
    func offer(ufrag: String, pwd: String, fingerprint: String) throws -> String {
        var out: [String] = []
        for line in lines {
            out.append(line)
            // Right after the media section's `c=` line: the per-viewer transport attributes.
            if line.hasPrefix("c=") {
                out += ["a=ice-ufrag:\(ufrag)", "a=ice-pwd:\(pwd)", "a=fingerprint:sha-256 \(fingerprint)"]
            }
        }
        let text = out.joined(separator: "\r\n") + "\r\n"
        do {
            let parsed = try SessionDescription(parsing: text)
            guard parsed.media.count == 1, parsed.media[0].iceUfrag == ufrag else {
                throw SwarmError("templated offer lost its ICE credentials")
            }
        } catch let error as SwarmError {
            throw error
        } catch {
            throw SwarmError("templated offer does not parse: \(error)")
        }
        return text
    }
}
