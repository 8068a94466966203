import BridgeCore
import BridgeRTP
import CBridgeFFmpeg
import CBridgeShim

/// libavcodec encoders for what browsers and phones take: Opus (48 kHz, stereo or mono by `OpusSettings`),
/// G.711 µ-law and A-law (8 kHz mono) and G.722 (16 kHz mono, 8 kHz RTP clock). Input is always 48 kHz
/// interleaved 16-bit stereo (what `AudioDecoder` produces); it is resampled to the codec's rate and cut into
/// 20 ms frames.
public final class AudioEncoder {
    public let codec: MediaCodec
    /// The codec's RTP clock rate (G.722 runs its RTP clock at 8 kHz for historical reasons).
    public let clockRate: Int
    /// Samples per channel in one 20 ms frame, at the encoder's sample rate.
    public let frameSamples: Int
    let sampleRate: Int
    let channels: Int

    private var context: UnsafeMutablePointer<AVCodecContext>?
    private var resampler: OpaquePointer?
    private let frame: UnsafeMutablePointer<AVFrame>
    private let packet: UnsafeMutablePointer<AVPacket>
    private var pending: [Int16] = []
    private var scratch: [Int16] = []
    private var nextPTS: Int64 = 0

    public init(codec: MediaCodec, opus: OpusSettings = .music) throws(MediaError) {
        self.codec = codec
        let codecID: AVCodecID
        switch codec {
        case .opus: (codecID, sampleRate, channels, clockRate) = (AV_CODEC_ID_OPUS, 48_000, opus.channels == 1 ? 1 : 2, 48_000)
        case .pcmu: (codecID, sampleRate, channels, clockRate) = (AV_CODEC_ID_PCM_MULAW, 8_000, 1, 8_000)
        case .pcma: (codecID, sampleRate, channels, clockRate) = (AV_CODEC_ID_PCM_ALAW, 8_000, 1, 8_000)
        case .g722: (codecID, sampleRate, channels, clockRate) = (AV_CODEC_ID_ADPCM_G722, 16_000, 1, 8_000)
        case .aac, .h264, .h265: throw MediaError("no \(codec.rawValue) encoder here: the gateway encodes Opus, G.711 and G.722")
        }
        frameSamples = sampleRate / 50
        let encoder = codec == .opus ? (avcodec_find_encoder_by_name("libopus") ?? avcodec_find_encoder(codecID)) : avcodec_find_encoder(codecID)
        guard let encoder, let context = avcodec_alloc_context3(encoder), let frame = av_frame_alloc(), let packet = av_packet_alloc()
        else { throw MediaError("no \(codec.rawValue) encoder in this FFmpeg") }
        self.context = context
        self.frame = frame
        self.packet = packet
        context.pointee.sample_rate = Int32(sampleRate)
        if channels == 2 { mb_av_channel_layout_stereo(&context.pointee.ch_layout) } else { mb_av_channel_layout_mono(&context.pointee.ch_layout) }
        context.pointee.sample_fmt = AV_SAMPLE_FMT_S16
        context.pointee.bit_rate = codec == .opus ? Int64(opus.bitrate) : 64_000
        context.pointee.time_base = AVRational(num: 1, den: Int32(sampleRate))
        context.pointee.frame_size = Int32(frameSamples)
        if codec == .opus {
            // libopus reads its complexity from compression_level and its application from a private option
            // (FFmpeg's own Opus encoder, the fallback, has neither and ignores both).
            context.pointee.compression_level = Int32(min(max(opus.complexity, 0), 10))
            if let options = context.pointee.priv_data { av_opt_set(options, "application", opus.application.rawValue, 0) }
        }
        let opened = avcodec_open2(context, encoder, nil)
        guard opened >= 0 else { throw .ffmpeg("cannot open the \(codec.rawValue) encoder", opened) }
        if sampleRate != AudioDecoder.outputRate || channels != AudioDecoder.outputChannels {
            var inLayout = AVChannelLayout(), outLayout = AVChannelLayout()
            mb_av_channel_layout_stereo(&inLayout)
            if channels == 2 { mb_av_channel_layout_stereo(&outLayout) } else { mb_av_channel_layout_mono(&outLayout) }
            let status = swr_alloc_set_opts2(&resampler, &outLayout, AV_SAMPLE_FMT_S16, Int32(sampleRate),
                                             &inLayout, AV_SAMPLE_FMT_S16, Int32(AudioDecoder.outputRate), 0, nil)
            guard status >= 0, swr_init(resampler) >= 0 else { throw .ffmpeg("cannot set up resampling", status) }
        }
    }

    deinit {
        swr_free(&resampler)
        avcodec_free_context(&context)
        var frame: UnsafeMutablePointer<AVFrame>? = self.frame
        av_frame_free(&frame)
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
    }

    /// The position, in the codec's clock, that the next buffered input sample will have.
    public var nextPosition: Int64 { toClock(nextPTS + Int64(pending.count / channels)) }

    /// Drops buffered samples (after a source discontinuity); positions keep counting.
    public func reset() {
        pending.removeAll(keepingCapacity: true)
    }

    /// Buffers 48 kHz stereo samples and returns every complete frame with its position in the codec's
    /// RTP clock since the encoder started.
    public func encode(_ samples: [Int16]) throws(MediaError) -> [(position: Int64, packet: [UInt8])] {
        guard let context else { return [] }
        try append(samples)
        var packets: [(position: Int64, packet: [UInt8])] = []
        let chunk = frameSamples * channels
        var consumed = 0
        while pending.count - consumed >= chunk {
            frame.pointee.nb_samples = Int32(frameSamples)
            frame.pointee.format = AV_SAMPLE_FMT_S16.rawValue
            frame.pointee.sample_rate = Int32(sampleRate)
            if channels == 2 { mb_av_channel_layout_stereo(&frame.pointee.ch_layout) } else { mb_av_channel_layout_mono(&frame.pointee.ch_layout) }
            let allocated = av_frame_get_buffer(frame, 0)
            guard allocated >= 0, let data = frame.pointee.data.0 else { throw .ffmpeg("cannot allocate a frame", allocated) }
            pending.withUnsafeBufferPointer { source in
                guard let base = source.baseAddress else { return }
                UnsafeMutableRawPointer(data).copyMemory(from: base + consumed, byteCount: chunk * 2)
            }
            consumed += chunk
            frame.pointee.pts = nextPTS
            nextPTS += Int64(frameSamples)
            let sent = avcodec_send_frame(context, frame)
            av_frame_unref(frame)
            guard sent >= 0 else { throw .ffmpeg("cannot encode \(codec.rawValue)", sent) }
            while avcodec_receive_packet(context, packet) >= 0 {
                if let bytes = packet.pointee.data, packet.pointee.size > 0 {
                    packets.append((toClock(packet.pointee.pts), Array(UnsafeBufferPointer(start: bytes, count: Int(packet.pointee.size)))))
                }
                av_packet_unref(packet)
            }
        }
        pending.removeFirst(consumed)
        return packets
    }

    private func toClock(_ samples: Int64) -> Int64 {
        sampleRate == clockRate ? samples : ClockScaling.rescale(samples, by: Int64(clockRate), over: Int64(sampleRate))
    }

    private func append(_ samples: [Int16]) throws(MediaError) {
        guard let resampler else {
            pending.append(contentsOf: samples)
            return
        }
        let inputCount = Int32(samples.count / AudioDecoder.outputChannels)
        let capacity = Int(swr_get_out_samples(resampler, inputCount)) + 32
        if scratch.count < capacity * channels { scratch = [Int16](repeating: 0, count: capacity * channels) }
        let converted = samples.withUnsafeBytes { input -> Int32 in
            scratch.withUnsafeMutableBytes { output -> Int32 in
                guard let outBase = output.baseAddress?.assumingMemoryBound(to: UInt8.self),
                      let inBase = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return inputCount == 0 ? 0 : -1 }
                var outPlanes: [UnsafeMutablePointer<UInt8>?] = [outBase]
                var inPlanes: [UnsafePointer<UInt8>?] = [UnsafePointer(inBase)]
                return swr_convert(resampler, &outPlanes, Int32(capacity), &inPlanes, inputCount)
            }
        }
        guard converted >= 0 else { throw .ffmpeg("cannot resample", converted) }
        pending.append(contentsOf: scratch[0..<(Int(converted) * channels)])
    }
}
