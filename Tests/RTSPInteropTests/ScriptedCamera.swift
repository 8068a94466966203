import NIOCore
import NIOPosix

/// A fake camera on 127.0.0.1 that answers RTSP requests from a script, for the source's timers and
/// connection handling: silence, no media after PLAY, or a close after PLAY.
final class ScriptedCamera: Sendable {
    enum Behavior: Sendable {
        case neverAnswer
        case noMediaAfterPlay
        case closeAfterPlay
    }

    static let sdp = """
        v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=scripted\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n\
        a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:track1\r\n
        """

    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(_ behavior: Behavior) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedCameraHandler(behavior: behavior))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async {
        try? await channel.close()
    }
}

final class ScriptedCameraHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let behavior: ScriptedCamera.Behavior
    var received = ""

    init(behavior: ScriptedCamera.Behavior) {
        self.behavior = behavior
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received += buffer.readString(length: buffer.readableBytes) ?? ""
        while let end = received.firstRange(of: "\r\n\r\n") {
            let request = String(received[..<end.lowerBound])
            received = String(received[end.upperBound...])
            answer(request, context: context)
        }
    }

    private func answer(_ request: String, context: ChannelHandlerContext) {
        guard behavior != .neverAnswer else { return }
        let method = request.prefix { $0 != " " }
        let cseq = request.split(separator: "\r\n").first { $0.lowercased().hasPrefix("cseq:") }
            .map { $0.dropFirst(5).trimmingPrefix(" ") } ?? "0"
        var text = "RTSP/1.0 200 OK\r\nCSeq: \(cseq)\r\n"
        switch method {
        case "OPTIONS": text += "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n"
        case "DESCRIBE":
            text += "Content-Base: rtsp://127.0.0.1/cam/\r\nContent-Type: application/sdp\r\n"
            text += "Content-Length: \(ScriptedCamera.sdp.utf8.count)\r\n\r\n" + ScriptedCamera.sdp
        case "SETUP": text += "Session: 42;timeout=60\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"
        default: text += "Session: 42\r\n\r\n"
        }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
        if method == "PLAY", behavior == .closeAfterPlay { context.close(promise: nil) }
    }
}
