import BridgeCore
import BridgeRTSP
import Testing

@Suite struct RTSPAuthenticatorTests {
    /// RFC 2617 section 3.5, verbatim: GET /dir/index.html, qop=auth, nc=00000001, cnonce 0a4f113b.
    @Test func rfc2617Example() {
        var authenticator = RTSPAuthenticator(username: "Mufasa", password: Redacted("Circle Of Life"))
        let accepted1 = authenticator.accept(challenges: [
            #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        ])
        #expect(accepted1)
        let value = authenticator.authorization(method: "GET", uri: "/dir/index.html", cnonce: "0a4f113b")
        #expect(value?.contains(#"response="6629fae49393a05397450978507c4ef1""#) == true)
        #expect(value?.contains("nc=00000001") == true)
        #expect(value?.contains(#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#) == true)
        let second = authenticator.authorization(method: "GET", uri: "/dir/index.html", cnonce: "0a4f113b")
        #expect(second?.contains("nc=00000002") == true)
    }

    /// gst-rtsp-server's RFC 2069 challenge: no qop, no opaque.
    @Test func digestWithoutQop() {
        var authenticator = RTSPAuthenticator(username: "admin", password: Redacted("secret"))
        let accepted2 = authenticator.accept(challenges: [#"Digest realm="GStreamer Server", nonce="0f8e3b1a""#])
        #expect(accepted2)
        let value = authenticator.authorization(method: "DESCRIBE", uri: "rtsp://127.0.0.1:8554/test", cnonce: "x")
        #expect(value == #"Digest username="admin", realm="GStreamer Server", nonce="0f8e3b1a", uri="rtsp://127.0.0.1:8554/test", response="290ca16f25efaed2e2cd967bf2a37d6e""#)
    }

    /// Hikvision-style qop=auth challenge; Digest is chosen over the Basic offered next to it.
    @Test func digestWithQopPreferredOverBasic() {
        var authenticator = RTSPAuthenticator(username: "admin", password: Redacted("12345"))
        let accepted3 = authenticator.accept(challenges: [
            #"Basic realm="IP Camera(C1234)""#,
            #"Digest realm="IP Camera(C1234)", nonce="4e5a3f", qop="auth", stale="FALSE""#,
        ])
        #expect(accepted3)
        let value = authenticator.authorization(method: "DESCRIBE", uri: "rtsp://192.168.1.64:554/Streaming/Channels/101",
                                                cnonce: "abcdef01")
        #expect(value?.contains(#"response="bd6f10d5fb19cb217c34770b7ea40d11""#) == true)
        #expect(value?.contains("qop=auth, nc=00000001, cnonce=\"abcdef01\"") == true)
    }

    @Test func basic() {
        var authenticator = RTSPAuthenticator(username: "admin", password: Redacted("12345"))
        let accepted4 = authenticator.accept(challenges: [#"Basic realm="cam""#])
        #expect(accepted4)
        let value = authenticator.authorization(method: "DESCRIBE", uri: "rtsp://cam/", cnonce: "")
        #expect(value == "Basic YWRtaW46MTIzNDU=")
    }

    @Test func unknownOrBrokenChallengesAreRefused() {
        var authenticator = RTSPAuthenticator(username: "a", password: Redacted("b"))
        let accepted5 = authenticator.accept(challenges: ["Negotiate abc"])
        #expect(!accepted5)
        let accepted6 = authenticator.accept(challenges: [#"Digest realm="x""#])
        #expect(!accepted6)  // no nonce
        let accepted7 = authenticator.accept(challenges: [#"Digest realm="x", nonce="y", algorithm=SHA-512"#])
        #expect(!accepted7)
        let accepted8 = authenticator.accept(challenges: [#"Digest realm="x", nonce="y", qop="auth-int""#])
        #expect(!accepted8)
        for text in ["", "Digest", "Digest ,,,", #"Digest realm="unclosed"#, "Digest =x, =, nonce", #"Digest nonce="\"#] {
            _ = authenticator.accept(challenges: [text])
        }
    }

    /// Downgrade: after Digest, a Basic-only challenge over plain rtsp is refused; over rtsps it is answered.
    @Test func basicAfterDigestIsRefusedInClear() {
        let digest = #"Digest realm="cam", nonce="n1", qop="auth""#
        let basic = #"Basic realm="cam""#
        var plain = RTSPAuthenticator(username: "admin", password: Redacted("12345"))
        let digestTaken = plain.accept(challenges: [digest])
        let basicAfterDigest = plain.accept(challenges: [basic])
        #expect(digestTaken && !basicAfterDigest && plain.refusedDowngrade)
        #expect(plain.authorization(method: "DESCRIBE", uri: "rtsp://cam/", cnonce: "c")?.hasPrefix("Basic") == false)
        var next = plain.forNextConnection()
        #expect(next.scheme == nil && next.sawDigest)
        let basicAfterRedirect = next.accept(challenges: [basic])
        #expect(!basicAfterRedirect, "a redirect to the same host keeps the rule")
        var tls = RTSPAuthenticator(username: "admin", password: Redacted("12345"), overTLS: true)
        let tlsDigest = tls.accept(challenges: [digest])
        let tlsBasic = tls.accept(challenges: [basic])
        #expect(tlsDigest && tlsBasic && !tls.refusedDowngrade)
        var fresh = RTSPAuthenticator(username: "admin", password: Redacted("12345"))
        let basicAlone = fresh.accept(challenges: [basic])
        #expect(basicAlone, "Basic alone, never Digest: answered as before")
    }

    @Test func passwordNeverPrinted() {
        let authenticator = RTSPAuthenticator(username: "admin", password: Redacted("hunter2"))
        #expect(!"\(authenticator)".contains("hunter2"))
        #expect(!String(reflecting: authenticator).contains("hunter2"))
    }
}
