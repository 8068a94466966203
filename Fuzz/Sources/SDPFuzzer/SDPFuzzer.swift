import BridgeSDP
import FuzzerDriver

/// Parse, write, parse again, then run the typed views and the translators over whatever parsed.
/// A trap, a sanitizer report or a round trip that changes the description is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = try? SessionDescription(parsing: bytes) else { return 0 }
    let written = first.write()
    guard let second = try? SessionDescription(parsing: written) else {
        fatalError("written description does not parse again:\n\(written)")
    }
    guard second.write() == written else { fatalError("write is not stable:\n\(written)") }
    for media in first.media {
        _ = (media.codecs, media.candidates, media.extMaps, media.cryptos, media.ssrcGroups, media.rtcpAttribute, media.bandwidths)
    }
    let transport = WebRTCTransportParameters.placeholder()
    _ = try? WHEPAnswerBuilder(transport: transport).answer(source: first, offer: first)
    var translator = SIPMediaTranslator(transport: transport, sipLeg: SIPLegParameters(address: "127.0.0.1", ports: [20000]))
    if let offer = try? translator.webRTCOffer(fromSIPOffer: first) {
        _ = try? translator.sipAnswer(fromWebRTCAnswer: first, sipOffer: first)
        _ = offer.write()
    }
    _ = try? translator.sipOffer(fromWebRTCOffer: first)
    _ = try? translator.webRTCAnswer(fromSIPAnswer: first, webRTCOffer: first)
    return 0
}

@_cdecl("SDPFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzz)
}
