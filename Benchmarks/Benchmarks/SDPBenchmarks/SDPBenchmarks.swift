import Benchmark
import BridgeSDP
import Foundation

/// Signalling-path costs per viewer or call: parsing a browser offer, writing, and building answers.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(2))

    func fixture(_ name: String) -> String {
        (try? String(contentsOfFile: "../Tests/Fixtures/sdp/\(name)", encoding: .utf8)) ?? ""
    }
    let chromiumOffer = fixture("chromium-whep-offer.sdp")
    let camera = fixture("gst-rtsp-h264-aac.sdp")
    let phone = fixture("baresip-invite.sdp")
    let parsedOffer = try? SessionDescription(parsing: chromiumOffer)
    let parsedCamera = try? SessionDescription(parsing: camera)
    let parsedPhone = try? SessionDescription(parsing: phone)
    let builder = WHEPAnswerBuilder(transport: .placeholder())

    Benchmark("SDP: parse Chromium WHEP offer (7.7 KB)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? SessionDescription(parsing: chromiumOffer)) }
    }
    Benchmark("SDP: write Chromium WHEP offer") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(parsedOffer?.write()) }
    }
    Benchmark("SDP: WHEP answer (camera H.264+AAC, Chromium offer)") { benchmark in
        guard let parsedOffer, let parsedCamera else { return }
        for _ in benchmark.scaledIterations { blackHole(try? builder.answer(source: parsedCamera, offer: parsedOffer)) }
    }
    Benchmark("SDP: phone INVITE to WebRTC offer (baresip)") { benchmark in
        guard let parsedPhone else { return }
        for _ in benchmark.scaledIterations {
            var translator = SIPMediaTranslator(transport: .placeholder(), sipLeg: SIPLegParameters(address: "127.0.0.1", ports: [20000]))
            blackHole(try? translator.webRTCOffer(fromSIPOffer: parsedPhone))
        }
    }
}
