import BridgeSDP
import Testing

@Suite struct SDPAttributeTests {
    @Test func rtpMap() throws {
        let opus = try #require(RTPMap(attributeValue: "111 opus/48000/2"))
        #expect(opus == RTPMap(payloadType: 111, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(opus.attributeValue == "111 opus/48000/2")
        #expect(RTPMap(attributeValue: "96 H264/90000")?.channels == nil)
        #expect(RTPMap(attributeValue: "128 H264/90000") == nil)
        #expect(RTPMap(attributeValue: "96 H264") == nil)
        #expect(RTPMap(attributeValue: "96 /90000") == nil)
        #expect(RTPMap.staticPayloadType(0)?.attributeValue == "0 PCMU/8000/1")
        #expect(RTPMap.staticPayloadType(9)?.clockRate == 8000)  // G.722's RFC 3551 quirk
        #expect(RTPMap.staticPayloadType(96) == nil)
    }

    /// Cameras write fmtp with spaces after `;` and around `=` (Hikvision), trailing `;` (Reolink).
    @Test func formatParametersTolerateCameraSpacing() throws {
        let fmtp = try #require(FormatParameters(attributeValue: "96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z00AKZpkA8ARPyzUBAQFAAADA+gAAOpgBA==,aO48gA=="))
        #expect(fmtp["profile-level-id"] == "420029")
        #expect(fmtp["Packetization-Mode"] == "1")
        #expect(fmtp["sprop-parameter-sets"]?.hasSuffix("aO48gA==") == true)
        let aac = try #require(FormatParameters(attributeValue: "97 streamtype=5; profile-level-id=15; mode=AAC-hbr; config=1408; sizeLength=13; indexLength=3; indexDeltaLength=3; profile=1;"))
        #expect(aac["sizelength"] == "13")
        #expect(aac.parameters.count == 8)
        let dtmf = try #require(FormatParameters(attributeValue: "101 0-16"))
        #expect(dtmf.parameters.first?.key == "0-16" && dtmf.parameters.first?.value == nil)
        #expect(dtmf.attributeValue == "101 0-16")
        #expect(FormatParameters(attributeValue: "x a=b") == nil)
    }

    @Test func rtcpFeedback() {
        #expect(RTCPFeedback(attributeValue: "96 nack pli") == RTCPFeedback(payloadType: 96, type: "nack", parameter: "pli"))
        #expect(RTCPFeedback(attributeValue: "* ccm fir")?.payloadType == nil)
        #expect(RTCPFeedback(attributeValue: "96 goog-remb")?.attributeValue == "96 goog-remb")
    }

    @Test func extMap() throws {
        let map = try #require(ExtMap(attributeValue: "3/recvonly urn:ietf:params:rtp-hdrext:encrypt urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on"))
        #expect(map.id == 3 && map.direction == .recvonly)
        #expect(map.uri == "urn:ietf:params:rtp-hdrext:encrypt")
        #expect(map.extensionAttributes == "urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on")
        #expect(map.attributeValue == "3/recvonly urn:ietf:params:rtp-hdrext:encrypt urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on")
        #expect(ExtMap(attributeValue: "15 urn:x") == nil)  // id 15 is reserved (RFC 8285 section 4.2)
    }

    @Test func candidate() throws {
        let text = "candidate:3498 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active generation 0 network-id 1"
        let candidate = try #require(ICECandidate(attributeValue: text))
        #expect(candidate.transport == "tcp" && candidate.tcpType == "active" && candidate.port == 9)
        #expect(candidate.extensions.map(\.name) == ["generation", "network-id"])
        #expect("candidate:" + candidate.attributeValue == text)
        let srflx = try #require(ICECandidate(attributeValue: "1 1 UDP 1686052607 203.0.113.5 50000 typ srflx raddr 10.0.0.2 rport 50000"))
        #expect(srflx.type == .srflx && srflx.relatedAddress == "10.0.0.2" && srflx.transport == "udp")
        #expect(ICECandidate(attributeValue: "1 1 udp 1 abc.local 5000 typ host")?.address == "abc.local")
        #expect(ICECandidate.priority(typePreference: 126, localPreference: 65535, component: 1) == 2_130_706_431)
    }

    @Test func fingerprintSetupAndCrypto() throws {
        let fingerprint = try #require(Fingerprint(attributeValue: "SHA-256 ab:CD:01"))
        #expect(fingerprint.hashFunction == "sha-256" && fingerprint.value == "AB:CD:01")
        #expect(DTLSSetup.actpass.answer == .passive)
        #expect(DTLSSetup.passive.answer == .active)
        let crypto = try #require(CryptoAttribute(attributeValue: "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32 KDR=1"))
        #expect(crypto.tag == 1 && crypto.suite == "AES_CM_128_HMAC_SHA1_80")
        #expect(crypto.inlineKey == "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")
        #expect(crypto.sessionParameters == ["KDR=1"])
    }

    @Test func ssrcGroupsMsidConnectionBandwidth() {
        #expect(SSRCAttribute(attributeValue: "1234 cname:abc")?.value == "abc")
        #expect(SSRCAttribute(attributeValue: "1234 msid:s t")?.attributeValue == "1234 msid:s t")
        #expect(SSRCGroup(attributeValue: "FID 1 2")?.ssrcs == [1, 2])
        #expect(MediaGroup(attributeValue: "BUNDLE 0 1")?.mids == ["0", "1"])
        #expect(MediaStreamID(attributeValue: "- abc")?.track == "abc")
        #expect(ConnectionData(value: "IN IP4 224.2.1.1/127/3")?.address == "224.2.1.1")
        #expect(ConnectionData(value: "IN IP4 0.0.0.0")?.isUnspecified == true)
        #expect(ConnectionData(address: "::1").value == "IN IP6 ::1")
        #expect(Bandwidth(value: "AS:2097")?.value == 2097)
        #expect(Bandwidth(value: "TIAS:64000")?.lineValue == "TIAS:64000")
    }

    @Test func directions() {
        #expect(MediaDirection.recvonly.answer(canSend: true, canReceive: false) == .sendonly)
        #expect(MediaDirection.sendrecv.answer(canSend: true, canReceive: false) == .sendonly)
        #expect(MediaDirection.sendonly.answer(canSend: true, canReceive: false) == .inactive)
        #expect(MediaDirection.sendonly.reversed == .recvonly)
    }

    @Test func typedViewOverAChromiumOffer() throws {
        let offer = try SDPFixtures.parse("chromium-whep-offer.sdp")
        #expect(offer.bundleGroups.first?.mids == ["0", "1"])
        let video = offer.media[0], audio = offer.media[1]
        #expect(video.mid == "0" && audio.mid == "1")
        #expect(video.isDTLS && video.isAVPF && video.rtcpMux && video.rtcpReducedSize)
        #expect(offer.setup(for: video) == .actpass)
        #expect(offer.fingerprint(for: video)?.hashFunction == "sha-256")
        #expect(offer.iceCredentials(for: video) != nil)
        #expect(offer.direction(of: video) == .recvonly)
        #expect(video.extMaps.contains { $0.uri.hasSuffix("transport-wide-cc-extensions-01") })
        #expect(video.codecs.contains { $0.kind == .h264 && $0.parameters?["profile-level-id"] == "42e01f" })
        #expect(audio.codecs.first?.kind == .opus)
        #expect(audio.codecs.contains { $0.kind == .telephoneEvent && $0.clockRate == 8000 })
        #expect(!video.candidates.isEmpty)
    }

    @Test func typedViewOverACameraDescribe() throws {
        let camera = try SDPFixtures.parse("gst-rtsp-h264-aac.sdp")
        #expect(camera.control == "*")
        #expect(camera.media.map(\.control) == ["stream=0", "stream=1"])
        #expect(camera.media[1].codecs.first?.kind == .aac)
        #expect(camera.media[0].bandwidths.first == Bandwidth(type: "AS", value: 2097))
    }
}
