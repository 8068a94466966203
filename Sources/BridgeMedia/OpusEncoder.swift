import BridgeRTP
import CBridgeFFmpeg
import CBridgeShim

/// libopus through libavcodec: 48 kHz stereo 16-bit samples in, 20 ms Opus packets out.
public final class OpusEncoder {
    /// Samples per channel in one 20 ms packet.
    public static let frameSamples = 960

    private var context: UnsafeMutablePointer<AVCodecContext>?
    private let frame: UnsafeMutablePointer<AVFrame>
    private let packet: UnsafeMutablePointer<AVPacket>
    private var pending: [Int16] = []
    private var nextPTS: Int64 = 0

    public init(bitrate: Int = 64_000) throws(MediaError) {
        guard let codec = avcodec_find_encoder_by_name("libopus") ?? avcodec_find_encoder(AV_CODEC_ID_OPUS),
              let context = avcodec_alloc_context3(codec), let frame = av_frame_alloc(), let packet = av_packet_alloc()
        else { throw MediaError("no Opus encoder in this FFmpeg") }
        self.context = context
        self.frame = frame
        self.packet = packet
        context.pointee.sample_rate = Int32(AudioDecoder.outputRate)
        mb_av_channel_layout_stereo(&context.pointee.ch_layout)
        context.pointee.sample_fmt = AV_SAMPLE_FMT_S16
        context.pointee.bit_rate = Int64(bitrate)
        context.pointee.time_base = AVRational(num: 1, den: Int32(AudioDecoder.outputRate))
        context.pointee.frame_size = Int32(Self.frameSamples)
        let opened = avcodec_open2(context, codec, nil)
        guard opened >= 0 else { throw .ffmpeg("cannot open the Opus encoder", opened) }
    }

    deinit {
        avcodec_free_context(&context)
        var frame: UnsafeMutablePointer<AVFrame>? = self.frame
        av_frame_free(&frame)
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
    }

    /// The position (in samples per channel since start) the next buffered sample will have.
    public var nextPosition: Int64 { nextPTS + Int64(pending.count / AudioDecoder.outputChannels) }

    /// Drops buffered samples and restarts the packet clock (after a source discontinuity).
    public func reset() {
        pending.removeAll(keepingCapacity: true)
    }

    /// Buffers interleaved stereo samples and returns every packet that is complete, each with its position
    /// in samples since the encoder started (Opus's encoder delay included).
    public func encode(_ samples: [Int16]) throws(MediaError) -> [(position: Int64, packet: [UInt8])] {
        guard let context else { return [] }
        pending.append(contentsOf: samples)
        var packets: [(position: Int64, packet: [UInt8])] = []
        let chunk = Self.frameSamples * AudioDecoder.outputChannels
        var consumed = 0
        while pending.count - consumed >= chunk {
            frame.pointee.nb_samples = Int32(Self.frameSamples)
            frame.pointee.format = AV_SAMPLE_FMT_S16.rawValue
            frame.pointee.sample_rate = Int32(AudioDecoder.outputRate)
            mb_av_channel_layout_stereo(&frame.pointee.ch_layout)
            let allocated = av_frame_get_buffer(frame, 0)
            guard allocated >= 0, let data = frame.pointee.data.0 else { throw .ffmpeg("cannot allocate a frame", allocated) }
            pending.withUnsafeBufferPointer { source in
                guard let base = source.baseAddress else { return }
                UnsafeMutableRawPointer(data).copyMemory(from: base + consumed, byteCount: chunk * 2)
            }
            consumed += chunk
            frame.pointee.pts = nextPTS
            nextPTS += Int64(Self.frameSamples)
            let sent = avcodec_send_frame(context, frame)
            av_frame_unref(frame)
            guard sent >= 0 else { throw .ffmpeg("cannot encode Opus", sent) }
            while avcodec_receive_packet(context, packet) >= 0 {
                if let bytes = packet.pointee.data, packet.pointee.size > 0 {
                    packets.append((packet.pointee.pts, Array(UnsafeBufferPointer(start: bytes, count: Int(packet.pointee.size)))))
                }
                av_packet_unref(packet)
            }
        }
        pending.removeFirst(consumed)
        return packets
    }
}
