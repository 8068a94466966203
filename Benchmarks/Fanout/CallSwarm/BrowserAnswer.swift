import BridgeSDP
import SwarmSupport

/// The swarm browser's answer to the gateway's call offer, shaped like Chromium's: one audio section with
/// the mode's codec only (PCMU for pass-through, Opus for transcoding), rtcp-mux, DTLS active.
enum BrowserAnswer {
    static func make(offer text: String, mode: CallMode, ufrag: String, pwd: String, fingerprint: String, ssrc: UInt32) throws
        -> (sdp: String, payloadType: UInt8)
    {
        let offer: SessionDescription
        do { offer = try SessionDescription(parsing: text) } catch { throw SwarmError("the gateway's offer does not parse: \(error)") }
        guard let audio = offer.media.first(where: { $0.media == "audio" && !$0.isRejected }) else {
            throw SwarmError("the gateway's offer has no audio")
        }
        let wanted = mode.browserCodec.name.lowercased()
        guard let codec = audio.codecs.first(where: { ($0.rtpMap?.encodingName.lowercased() ?? "") == wanted }) else {
            throw SwarmError("the gateway's offer has no \(mode.browserCodec.name): \(audio.formats)")
        }
        let mid = audio.mid ?? "0"
        let pt = codec.payloadType
        let rtpmap = mode == .passthrough
            ? ["a=rtpmap:\(pt) PCMU/8000"]
            : ["a=rtpmap:\(pt) opus/48000/2", "a=fmtp:\(pt) minptime=10;useinbandfec=1"]
        let lines = [
            "v=0", "o=- \(UInt32.random(in: 1...UInt32.max)) 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE \(mid)",
            "a=msid-semantic: WMS callswarm",
            "m=audio 9 UDP/TLS/RTP/SAVPF \(pt)", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:\(ufrag)", "a=ice-pwd:\(pwd)", "a=ice-options:trickle", "a=fingerprint:sha-256 \(fingerprint)",
            "a=setup:active", "a=mid:\(mid)", "a=sendrecv", "a=msid:callswarm audio", "a=rtcp-mux",
        ] + rtpmap + ["a=ssrc:\(ssrc) cname:callswarm"]
        let answer = lines.joined(separator: "\r\n") + "\r\n"
        do { _ = try SessionDescription(parsing: answer) } catch { throw SwarmError("the swarm's answer does not parse: \(error)") }
        return (answer, pt)
    }
}
