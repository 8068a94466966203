import Foundation
import BridgeCore
@testable import BridgeDTLS
import BridgeSRTP
import Testing

/// Two DTLS endpoints over an in-memory network: the gateway's server role against a client like a browser.
@Suite(.serialized) struct DTLSTransportTests {
    static let serverCertificate = try? DTLSCertificate.generate()
    static let clientCertificate = try? DTLSCertificate.generate(commonName: "browser")

    struct Pair {
        let client: DTLSTransport
        let server: DTLSTransport
    }

    func pair(clientExpects: String? = nil, serverExpects: String? = nil,
              serverProfiles: [SRTPProfile] = [.aeadAES128GCM, .aes128CMHMACSHA1_80],
              clientProfiles: [SRTPProfile] = [.aes128CMHMACSHA1_80, .aeadAES128GCM]) throws -> Pair {
        let serverCert = try #require(Self.serverCertificate), clientCert = try #require(Self.clientCertificate)
        let serverContext = try DTLSContext(certificate: serverCert, profiles: serverProfiles)
        let clientContext = try DTLSContext(certificate: clientCert, profiles: clientProfiles)
        let client = try DTLSTransport(context: clientContext, role: .client,
                                       remoteFingerprints: [("sha-256", clientExpects ?? serverCert.sha256Fingerprint)])
        let server = try DTLSTransport(context: serverContext, role: .server,
                                       remoteFingerprints: [("sha-256", serverExpects ?? clientCert.sha256Fingerprint)])
        return Pair(client: client, server: server)
    }

    /// Moves datagrams both ways until both sides are quiet (bounded); `drop` may discard some.
    @discardableResult
    func exchange(_ pair: Pair, rounds: Int = 20, drop: (Int, [UInt8]) -> Bool = { _, _ in false }) -> Int {
        var count = 0
        for _ in 0..<rounds {
            var moved = false
            while let datagram = pair.client.pollDatagram() {
                count += 1
                moved = true
                #expect(datagram.count <= DTLSTransport.mtu)
                if !drop(count, datagram) { pair.server.handleDatagram(datagram) }
            }
            while let datagram = pair.server.pollDatagram() {
                count += 1
                moved = true
                #expect(datagram.count <= DTLSTransport.mtu)
                if !drop(count, datagram) { pair.client.handleDatagram(datagram) }
            }
            if !moved { break }
        }
        return count
    }

    @Test func handshakeExportsMatchingKeysAndTheServerPicksGCM() throws {
        let pair = try pair()
        pair.client.start()
        pair.server.start()
        exchange(pair)
        guard case .connected(let clientKeys) = pair.client.state, case .connected(let serverKeys) = pair.server.state else {
            Issue.record("not connected: client \(pair.client.state), server \(pair.server.state)"); return
        }
        // The server's preference wins even though the client listed SHA1_80 first.
        #expect(serverKeys.profile == .aeadAES128GCM && clientKeys.profile == .aeadAES128GCM)
        #expect(clientKeys.localKey == serverKeys.remoteKey && clientKeys.localSalt == serverKeys.remoteSalt)
        #expect(clientKeys.remoteKey == serverKeys.localKey)
        #expect(clientKeys.localKey != clientKeys.remoteKey)
        // The keys work: the client protects, the server unprotects.
        let out = try SRTPContext(profile: clientKeys.profile, key: clientKeys.localKey, salt: clientKeys.localSalt, direction: .outbound)
        let into = try SRTPContext(profile: serverKeys.profile, key: serverKeys.remoteKey, salt: serverKeys.remoteSalt, direction: .inbound)
        let packet: [UInt8] = [0x80, 0x60, 0, 1, 0, 0, 0, 1, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4]
        #expect(try into.unprotect(try out.protect(packet)) == packet)
    }

    @Test func sha1ProfileWhenTheServerOffersOnlyThat() throws {
        let pair = try pair(serverProfiles: [.aes128CMHMACSHA1_80])
        pair.client.start()
        exchange(pair)
        guard case .connected(let keys) = pair.server.state else { Issue.record("\(pair.server.state)"); return }
        #expect(keys.profile == .aes128CMHMACSHA1_80)
        #expect(keys.localSalt.count == 14)
    }

    @Test func fingerprintMismatchEndsTheSession() throws {
        let wrong = Array(repeating: "00", count: 32).joined(separator: ":")
        let pair = try pair(serverExpects: wrong)
        pair.client.start()
        exchange(pair)
        #expect(pair.server.state == .failed("the peer's certificate does not match the fingerprint in its SDP"))
    }

    @Test func lostFlightIsRetransmittedOnTheTimer() async throws {
        let pair = try pair()
        pair.client.start()
        // Lose the server's first flight.
        exchange(pair, rounds: 1) { index, _ in index == 2 }
        if case .connected = pair.client.state { Issue.record("connected without the server flight") }
        let now = MonotonicInstant(nanoseconds: 5_000_000_000)
        let deadline = try #require(pair.server.nextTimeout(now: now))
        #expect(deadline.duration(since: now) <= .milliseconds(250))
        // OpenSSL's timer runs on the wall clock: wait it out (bounded), then let both sides retransmit.
        try await Task.sleep(for: .milliseconds(300))
        pair.server.handleTimeout()
        pair.client.handleTimeout()
        exchange(pair)
        guard case .connected = pair.server.state, case .connected = pair.client.state else {
            Issue.record("not connected after retransmission: \(pair.client.state) / \(pair.server.state)"); return
        }
    }

    @Test func clientHelloBeforeStartIsNotLost() throws {
        // The browser's ClientHello can reach the gateway before the gateway "starts" its side.
        let pair = try pair()
        pair.client.start()
        let hello = try #require(pair.client.pollDatagram())
        pair.server.handleDatagram(hello)
        exchange(pair)
        guard case .connected = pair.server.state else { Issue.record("\(pair.server.state)"); return }
    }

    @Test func garbageNeverTraps() throws {
        let pair = try pair()
        var state: UInt64 = 3
        for _ in 0..<300 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let length = Int(state >> 40) % 200
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: (state >> UInt64($0 % 56)) &+ UInt64($0)) }
            pair.server.handleDatagram([22, 0xFE, 0xFD] + bytes)
        }
        // A server fed garbage either still waits or has failed cleanly; it never traps.
        switch pair.server.state {
        case .handshaking, .failed: break
        default: Issue.record("unexpected state \(pair.server.state)")
        }
    }

    @Test func certificateFingerprintLooksLikeSDP() throws {
        let fingerprint = try #require(Self.serverCertificate).sha256Fingerprint
        #expect(fingerprint.count == 32 * 3 - 1)
        #expect(fingerprint.split(separator: ":").allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) })
    }
}

@Suite struct DTLSCertificatePEMTests {
    @Test func aSavedCertificateLoadsWithTheSameFingerprint() throws {
        let original = try DTLSCertificate.generate()
        let pem = try original.pemEncoded()
        #expect(pem.certificate.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(pem.privateKey.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mb-dtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificatePath = directory.appendingPathComponent("cert.pem").path
        let keyPath = directory.appendingPathComponent("key.pem").path
        try pem.certificate.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try pem.privateKey.write(toFile: keyPath, atomically: true, encoding: .utf8)
        let loaded = try DTLSCertificate.load(certificatePath: certificatePath, privateKeyPath: keyPath)
        #expect(loaded.sha256Fingerprint == original.sha256Fingerprint)
        // A context accepts it, so sessions can use it.
        _ = try DTLSContext(certificate: loaded)
        // A key that is not the certificate's is refused with a reason.
        let otherKey = try DTLSCertificate.generate().pemEncoded().privateKey
        try otherKey.write(toFile: keyPath, atomically: true, encoding: .utf8)
        #expect(throws: DTLSError.self) { try DTLSCertificate.load(certificatePath: certificatePath, privateKeyPath: keyPath) }
        #expect(throws: DTLSError.self) { try DTLSCertificate.load(certificatePath: directory.path + "/missing.pem", privateKeyPath: keyPath) }
    }
}
