import BridgeCore
import BridgeRTSP

/// What a camera's TCP connection feeds the client: the stream decoder (responses and `$`-interleaved
/// frames, split at an input-chosen point), the DESCRIBE track parser, Transport headers and Digest/Basic
/// challenges.
public enum RTSPFuzzEntry {
    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var decoder = RTSPStreamDecoder()
        FuzzInput.feedInTwoPieces(bytes, limit: 64, append: { decoder.append($0) }, next: { (try? decoder.next()) != nil })
        _ = try? RTSPTrackParser.tracks(fromSDP: bytes, base: "rtsp://192.0.2.1/stream")
        let text = String(decoding: bytes.prefix(2048), as: UTF8.self)
        _ = RTSPTransportHeader(parsing: text)
        var authenticator = RTSPAuthenticator(username: "admin", password: Redacted("secret"))
        if authenticator.accept(challenges: text.split(separator: "\n").map(String.init)) {
            _ = authenticator.authorization(method: "DESCRIBE", uri: "rtsp://192.0.2.1/stream", cnonce: "0a4f113b")
        }
        return FuzzFindings()
    }
}
