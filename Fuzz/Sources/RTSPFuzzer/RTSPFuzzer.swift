import BridgeCore
import BridgeRTSP
import FuzzerDriver

/// What a camera's TCP connection feeds the client: the stream decoder (responses and `$`-interleaved
/// frames, split at an input-chosen point), the DESCRIBE track parser, Transport headers and Digest/Basic
/// challenges. A trap or sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = RTSPStreamDecoder()
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    decoder.append(bytes[..<cut])
    var messages = 0
    while messages < 64, let message = try? decoder.next() { messages += 1; _ = message }
    decoder.append(bytes[cut...])
    while messages < 128, let message = try? decoder.next() { messages += 1; _ = message }
    _ = try? RTSPTrackParser.tracks(fromSDP: bytes, base: "rtsp://192.0.2.1/stream")
    let text = String(decoding: bytes.prefix(2048), as: UTF8.self)
    _ = RTSPTransportHeader(parsing: text)
    var authenticator = RTSPAuthenticator(username: "admin", password: Redacted("secret"))
    if authenticator.accept(challenges: text.split(separator: "\n").map(String.init)) {
        _ = authenticator.authorization(method: "DESCRIBE", uri: "rtsp://192.0.2.1/stream", cnonce: "0a4f113b")
    }
    return 0
}

@_cdecl("RTSPFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzz)
}
