import BridgeCore
import BridgeSDP
import BridgeSRTP

/// SDES-SRTP (RFC 4568) on the phone leg: the phone's `a=crypto` key unprotects what it sends, the
/// gateway's own key (offered or answered in its SDP) protects what goes to it. AES_CM_128_HMAC_SHA1_80.
/// Made off the loop, then handed to the bridge and used only on the media loop.
final class PhoneSRTP: @unchecked Sendable {
    private let inbound: SRTPContext
    private let outbound: SRTPContext
    private(set) var failures = 0

    /// nil when the phone's audio is plain RTP; throws when it is SRTP the gateway cannot speak.
    static func make(phoneAudio: MediaDescription?, ourKey: String?) throws -> PhoneSRTP? {
        guard let phoneAudio, phoneAudio.isSecure, !phoneAudio.isDTLS else { return nil }
        guard let crypto = phoneAudio.cryptos.first(where: { $0.suite == "AES_CM_128_HMAC_SHA1_80" }),
              let inline = crypto.keyParameters.first(where: { $0.hasPrefix("inline:") }),
              let theirs = Base64.decode(inline.dropFirst(7).prefix { $0 != "|" }), theirs.count == 30,
              let ourKey, let ours = Base64.decode(ourKey), ours.count == 30
        else { throw CallError("the phone's SRTP needs AES_CM_128_HMAC_SHA1_80 with a 30-byte inline key") }
        return try PhoneSRTP(theirs: theirs, ours: ours)
    }

    private init(theirs: [UInt8], ours: [UInt8]) throws {
        inbound = try SRTPContext(profile: .aes128CMHMACSHA1_80, key: Array(theirs[0..<16]), salt: Array(theirs[16..<30]), direction: .inbound)
        outbound = try SRTPContext(profile: .aes128CMHMACSHA1_80, key: Array(ours[0..<16]), salt: Array(ours[16..<30]), direction: .outbound)
    }

    /// A fresh key and salt for the gateway's `a=crypto` (base64 of 30 random bytes).
    static func newKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<30).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    func unprotect(_ packet: [UInt8]) -> [UInt8]? {
        do { return try inbound.unprotect(packet) } catch { failures += 1; return nil }
    }

    func protect(_ packet: [UInt8]) -> [UInt8]? {
        do { return try outbound.protect(packet) } catch { failures += 1; return nil }
    }

    func unprotectRTCP(_ packet: [UInt8]) -> [UInt8]? {
        do { return try inbound.unprotectRTCP(packet) } catch { failures += 1; return nil }
    }

    func protectRTCP(_ packet: [UInt8]) -> [UInt8]? {
        do { return try outbound.protectRTCP(packet) } catch { failures += 1; return nil }
    }
}
