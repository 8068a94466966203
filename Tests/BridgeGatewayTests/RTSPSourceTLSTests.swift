import BridgeCore
@testable import BridgeGateway
import BridgeRTP
import NIOCore
import Synchronization
import Testing

/// rtsps: the camera's certificate is checked by default (system roots and host name), a pin is checked
/// alone, `tls_verify: false` accepts any (issue #13). A NIOSSL server with a self-signed certificate plays
/// the camera and records what reaches it through TLS: the client's OPTIONS, or nothing. Bounded waits.
@Suite(.serialized) struct RTSPSourceTLSTests {
    /// Bytes the camera read, and whether the source ended.
    final class Record: MediaSourceSink {
        let bytes = Mutex<[UInt8]>([])
        let ended = Mutex<MediaSourceError??>(nil)

        func source(didDescribe tracks: [MediaTrackInfo]) {}
        func source(didProduce frame: MediaFrame, track: Int) {}
        func source(didEndWith error: MediaSourceError?) { ended.withLock { $0 = .some(error) } }

        var received: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
        var hasEnded: Bool { ended.withLock { $0 != nil } }
    }

    final class Reader: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let record: Record

        init(record: Record) {
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            record.bytes.withLock { $0 += bytes }
        }
    }

    /// Starts a self-signed TLS camera on 127.0.0.1 and a source for it; returns what the camera read and
    /// whether the source ended, once one of them happened (10 s at most).
    func connect(_ verification: (_ pin: [UInt8]) -> TLSVerification) async throws -> (received: String, ended: Bool) {
        let record = Record()
        let (channel, pin) = try await TestTLSServer.start(commonName: "camera.test") { Reader(record: record) }
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)
        var options = RTSPSource.Options(url: Redacted("rtsps://127.0.0.1:\(port)/live"), transport: .tcp)
        options.tlsVerification = verification(pin)
        let source = RTSPSource(options: options)
        source.start(sink: record)
        defer { source.stop() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !record.hasEnded, !record.received.contains("\r\n\r\n"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return (record.received, record.hasEnded)
    }

    @Test func aSelfSignedCameraIsRefusedByDefault() async throws {
        let result = try await connect { _ in .full }
        #expect(result.ended && result.received.isEmpty)
    }

    @Test func tlsVerifyFalseAcceptsAnyCertificate() async throws {
        let result = try await connect { _ in .none }
        #expect(result.received.hasPrefix("OPTIONS rtsps://127.0.0.1:"))
    }

    @Test func aPinIsCheckedAlone() async throws {
        let right = try await connect { .pinned($0) }
        #expect(right.received.hasPrefix("OPTIONS rtsps://127.0.0.1:"))
        let wrong = try await connect { pin in .pinned(pin.map { $0 ^ 0xFF }) }
        #expect(wrong.ended && wrong.received.isEmpty)
    }
}
