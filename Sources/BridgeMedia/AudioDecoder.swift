import BridgeCore
import BridgeRTP
import CBridgeFFmpeg
import CBridgeShim

/// Decodes one audio codec with libavcodec and resamples to 48 kHz interleaved 16-bit stereo through
/// libswresample: the input side of the AAC-to-Opus transcoder, and what tests use to listen to Opus.
public final class AudioDecoder {
    public static let outputRate = 48_000
    public static let outputChannels = 2

    private var context: UnsafeMutablePointer<AVCodecContext>?
    private var resampler: OpaquePointer?
    private let packet: UnsafeMutablePointer<AVPacket>
    private let frame: UnsafeMutablePointer<AVFrame>
    private var scratch: [Int16] = []

    public init(track: MediaTrackInfo) throws(MediaError) {
        let codecID: AVCodecID
        switch track.codec {
        case .aac: codecID = AV_CODEC_ID_AAC
        case .opus: codecID = AV_CODEC_ID_OPUS
        case .pcmu: codecID = AV_CODEC_ID_PCM_MULAW
        case .pcma: codecID = AV_CODEC_ID_PCM_ALAW
        case .g722: codecID = AV_CODEC_ID_ADPCM_G722
        case .h264, .h265: throw MediaError("\(track.codec.rawValue) is not audio")
        }
        guard MediaLimits.clockRates.contains(track.clockRate), track.channels <= MediaLimits.channelCounts.upperBound else {
            throw MediaError("\(track.codec.rawValue) at \(track.clockRate) Hz with \(track.channels) channels is out of range")
        }
        guard let codec = avcodec_find_decoder(codecID), let context = avcodec_alloc_context3(codec),
              let packet = av_packet_alloc(), let frame = av_frame_alloc()
        else { throw MediaError("no \(track.codec.rawValue) decoder in this FFmpeg") }
        self.context = context
        self.packet = packet
        self.frame = frame
        context.pointee.sample_rate = Int32(track.codec == .g722 ? 16_000 : (track.codec == .opus ? 48_000 : Int32(clamping: track.clockRate)))
        av_channel_layout_default(&context.pointee.ch_layout, Int32(clamping: max(track.channels, 1)))
        if !track.audioSpecificConfig.isEmpty {
            let size = track.audioSpecificConfig.count
            guard let extradata = av_mallocz(size + Int(AV_INPUT_BUFFER_PADDING_SIZE))?.assumingMemoryBound(to: UInt8.self) else {
                throw MediaError("out of memory")
            }
            track.audioSpecificConfig.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { extradata.update(from: base, count: size) }
            }
            context.pointee.extradata = extradata
            context.pointee.extradata_size = Int32(size)
        }
        let opened = avcodec_open2(context, codec, nil)
        guard opened >= 0 else { throw .ffmpeg("cannot open the \(track.codec.rawValue) decoder", opened) }
    }

    deinit {
        swr_free(&resampler)
        avcodec_free_context(&context)
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
        var frame: UnsafeMutablePointer<AVFrame>? = self.frame
        av_frame_free(&frame)
    }

    /// Decodes one coded frame; appends the 48 kHz stereo samples it yields (interleaved) to `output`.
    /// A frame the decoder rejects is an error; the decoder stays usable for the next one.
    public func decode(_ coded: [UInt8], into output: inout [Int16]) throws(MediaError) {
        guard let context, !coded.isEmpty else { return }
        let allocated = av_new_packet(packet, Int32(coded.count))
        guard allocated >= 0, let data = packet.pointee.data else { throw .ffmpeg("cannot allocate a packet", allocated) }
        coded.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { data.update(from: base, count: coded.count) }
        }
        defer { av_packet_unref(packet) }
        let sent = avcodec_send_packet(context, packet)
        guard sent >= 0 else { throw .ffmpeg("cannot decode", sent) }
        while true {
            let received = avcodec_receive_frame(context, frame)
            if received == mb_averror_eagain() || received == mb_averror_eof() { return }
            guard received >= 0 else { throw .ffmpeg("cannot decode", received) }
            defer { av_frame_unref(frame) }
            try resample(into: &output)
        }
    }

    private func resample(into output: inout [Int16]) throws(MediaError) {
        if resampler == nil {
            var outLayout = AVChannelLayout()
            mb_av_channel_layout_stereo(&outLayout)
            let status = swr_alloc_set_opts2(&resampler, &outLayout, AV_SAMPLE_FMT_S16, Int32(Self.outputRate),
                                             &frame.pointee.ch_layout, AVSampleFormat(frame.pointee.format),
                                             frame.pointee.sample_rate, 0, nil)
            guard status >= 0, swr_init(resampler) >= 0 else { throw .ffmpeg("cannot set up resampling", status) }
        }
        let inputCount = frame.pointee.nb_samples
        let capacity = Int(swr_get_out_samples(resampler, inputCount)) + 32
        if scratch.count < capacity * Self.outputChannels { scratch = [Int16](repeating: 0, count: capacity * Self.outputChannels) }
        let converted = scratch.withUnsafeMutableBytes { raw -> Int32 in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return -1 }
            var planes: [UnsafeMutablePointer<UInt8>?] = [base]
            return frame.pointee.extended_data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { input in
                swr_convert(resampler, &planes, Int32(capacity), input, inputCount)
            }
        }
        guard converted >= 0 else { throw .ffmpeg("cannot resample", converted) }
        output.append(contentsOf: scratch[0..<(Int(converted) * Self.outputChannels)])
    }
}
