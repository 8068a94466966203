@testable import BridgeSRTP
import Testing

/// Known-answer tests through our wrapper: libsrtp's own reference packets (srtp_driver.c, `srtp_validate`
/// with the RFC 3711 appendix B.3 master key, and `srtp_validate_gcm`), SSRC 0xcafebabe, sequence 0x1234.
@Suite struct SRTPContextTests {
    static func hex(_ text: String) -> [UInt8] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt8($0, radix: 16) }
    }

    static let rtpPlain = hex("80 0f 12 34 de ca fb ad ca fe ba be") + [UInt8](repeating: 0xAB, count: 16)
    static let rtcpPlain = hex("81 c8 00 0b ca fe ba be") + [UInt8](repeating: 0xAB, count: 16)

    // AES_CM_128_HMAC_SHA1_80, master key and salt of RFC 3711 appendix B.3.
    static let cmKey = hex("e1 f9 7a 0d 3e 01 8b e0 d6 4f a3 2c 06 de 41 39")
    static let cmSalt = hex("0e c6 75 ad 49 8a fe eb b6 96 0b 3a ab e6")
    static let cmSRTP = hex("""
        80 0f 12 34 de ca fb ad ca fe ba be 4e 55 dc 4c e7 99 78 d8 8c a4 d2 15 94 9d 24 02 b7 8d 6a cc 99 ea 17 9b 8d bb
        """)
    static let cmSRTCP = hex("""
        81 c8 00 0b ca fe ba be 71 28 03 5b e4 87 b9 bd be f8 90 41 f9 77 a5 a8 80 00 00 01 99 3e 08 cd 54 d6 c1 23 07 98
        """)

    // AEAD_AES_128_GCM (16-byte tag).
    static let gcmKey = hex("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f")
    static let gcmSalt = hex("a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab")
    static let gcmSRTP = hex("""
        80 0f 12 34 de ca fb ad ca fe ba be c5 00 2e de 04 cf dd 2e b9 11 59 e0 88 0a a0 6e d2 97 68 26 f7 96 b2 01 df 31 31 a1 27 e8 a3 92
        """)
    static let gcmSRTCP = hex("""
        81 c8 00 0b ca fe ba be c9 8b 8b 5d f0 39 2a 55 85 2b 6c 21 ac 8e 70 25 c5 2c 6f be a2 b3 b4 46 ea 31 12 3b a8 8c e6 1e 80 00 00 01
        """)

    @Test(arguments: [
        (SRTPProfile.aes128CMHMACSHA1_80, cmKey, cmSalt, cmSRTP, cmSRTCP),
        (SRTPProfile.aeadAES128GCM, gcmKey, gcmSalt, gcmSRTP, gcmSRTCP),
    ])
    func knownAnswers(profile: SRTPProfile, key: [UInt8], salt: [UInt8], srtp: [UInt8], srtcp: [UInt8]) throws {
        let sender = try SRTPContext(profile: profile, key: key, salt: salt, direction: .outbound)
        #expect(try sender.protect(Self.rtpPlain) == srtp)
        #expect(try sender.protectRTCP(Self.rtcpPlain) == srtcp)
        let receiver = try SRTPContext(profile: profile, key: key, salt: salt, direction: .inbound)
        #expect(try receiver.unprotect(srtp) == Self.rtpPlain)
        #expect(try receiver.unprotectRTCP(srtcp) == Self.rtcpPlain)
    }

    @Test(arguments: SRTPProfile.allCases)
    func tamperingAndReplayAreRefused(profile: SRTPProfile) throws {
        let key = [UInt8](repeating: 7, count: profile.keyLength), salt = [UInt8](repeating: 9, count: profile.saltLength)
        let sender = try SRTPContext(profile: profile, key: key, salt: salt, direction: .outbound)
        let receiver = try SRTPContext(profile: profile, key: key, salt: salt, direction: .inbound)
        let protected = try sender.protect(Self.rtpPlain)
        var tampered = protected
        tampered[20] ^= 1
        #expect(throws: SRTPError(.authentication, "authentication failed")) { try receiver.unprotect(tampered) }
        #expect(try receiver.unprotect(protected) == Self.rtpPlain)
        #expect(throws: SRTPError(.replay, "replayed or too old")) { try receiver.unprotect(protected) }
        // The sender may resend the same packet (NACK answer): allow_repeat_tx.
        #expect(try sender.protect(Self.rtpPlain) == protected)
    }

    @Test func malformedInputIsAnErrorNotATrap() throws {
        let receiver = try SRTPContext(profile: .aeadAES128GCM, key: Self.gcmKey, salt: Self.gcmSalt, direction: .inbound)
        for length in 0..<Self.gcmSRTP.count {
            #expect(throws: SRTPError.self) { try receiver.unprotect(Array(Self.gcmSRTP[..<length])) }
        }
        #expect(throws: SRTPError.self) { try SRTPContext(profile: .aeadAES128GCM, key: [1], salt: [2], direction: .inbound) }
    }

    @Test func keyingMaterialSplitsPerRole() throws {
        let exported = Array(0..<56).map(UInt8.init)  // GCM: 16+16+12+12
        let client = try #require(SRTPKeyingMaterial(profile: .aeadAES128GCM, exported: exported, isClient: true))
        let server = try #require(SRTPKeyingMaterial(profile: .aeadAES128GCM, exported: exported, isClient: false))
        #expect(client.localKey == Array(0..<16) && client.remoteKey == Array(16..<32))
        #expect(client.localSalt == Array(32..<44) && client.remoteSalt == Array(44..<56))
        #expect(server.localKey == client.remoteKey && server.localSalt == client.remoteSalt)
        #expect(SRTPKeyingMaterial(profile: .aes128CMHMACSHA1_80, exported: exported, isClient: true) == nil)
        #expect(SRTPKeyingMaterial(profile: .aes128CMHMACSHA1_80, exported: Array(0..<60).map(UInt8.init), isClient: true)?.remoteSalt == Array(46..<60))
    }
}
