import BridgeCore
import BridgeRTP
import CBridgeFFmpeg
import CBridgeShim

/// Reads a media file through libavformat and hands out frames: the first H.264/H.265 video track and the
/// first audio track a route can use (AAC, Opus, G.711, G.722), in file order, with timestamps in each
/// track's clock. With `loop`, the end of the file seeks back to the start and timestamps keep rising, so a
/// looping file looks like one endless stream. Not thread-safe: one owner drives it.
public final class FileReader {
    public private(set) var tracks: [MediaTrackInfo] = []

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private let packet: UnsafeMutablePointer<AVPacket>
    private var streams: [Stream] = []
    private let loop: Bool
    /// Added to every timestamp after each loop, in microseconds.
    private var loopOffset: Int64 = 0
    /// The latest end time seen in this pass (pts + duration), in microseconds.
    private var passEnd: Int64 = 0
    private var passStart: Int64?

    private struct Stream {
        let index: Int32
        let track: Int
        let timeBase: AVRational
        let codec: MediaCodec
        let clockRate: Int
        /// MP4-style length-prefixed NAL units (0 for Annex B or audio).
        let nalLengthSize: Int
        let parameterSets: [[UInt8]]
    }

    public init(path: String, loop: Bool = true) throws(MediaError) {
        self.loop = loop
        guard let packet = av_packet_alloc() else { throw MediaError("out of memory") }
        self.packet = packet
        var context: UnsafeMutablePointer<AVFormatContext>?
        let opened = avformat_open_input(&context, path, nil, nil)
        guard opened >= 0, let context else { throw .ffmpeg("cannot open \(path)", opened) }
        format = context
        let found = avformat_find_stream_info(context, nil)
        guard found >= 0 else { throw .ffmpeg("cannot read streams of \(path)", found) }
        try selectStreams(context)
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
        avformat_close_input(&format)
    }

    private func selectStreams(_ context: UnsafeMutablePointer<AVFormatContext>) throws(MediaError) {
        var haveVideo = false, haveAudio = false
        var unsupported: [String] = []
        for index in 0..<Int(context.pointee.nb_streams) {
            guard let stream = context.pointee.streams[index], let parameters = stream.pointee.codecpar else { continue }
            let codecID = parameters.pointee.codec_id
            let name = avcodec_get_name(codecID).map { String(cString: $0) } ?? "unknown"
            let extradata = parameters.pointee.extradata.map {
                Array(UnsafeBufferPointer(start: $0, count: Int(parameters.pointee.extradata_size)))
            } ?? []
            switch parameters.pointee.codec_type {
            case AVMEDIA_TYPE_VIDEO where !haveVideo:
                let codec: MediaCodec
                let configuration: (lengthSize: Int, parameterSets: [[UInt8]])?
                if codecID == AV_CODEC_ID_H264 {
                    codec = .h264
                    configuration = NALUnitSplitter.avcConfiguration(extradata)
                } else if codecID == AV_CODEC_ID_HEVC {
                    codec = .h265
                    configuration = NALUnitSplitter.hevcConfiguration(extradata)
                } else {
                    unsupported.append("video \(name)")
                    continue
                }
                let sets = configuration?.parameterSets
                    ?? extradata.withUnsafeBytes { NALUnitSplitter.annexB($0) }
                var info = MediaTrackInfo(codec: codec, clockRate: 90_000, parameterSets: sets,
                                          width: Int(parameters.pointee.width), height: Int(parameters.pointee.height))
                if codec == .h264, let sps = sets.first(where: { ($0.first ?? 0) & 0x1F == 7 }), sps.count >= 4 {
                    info.profileLevelID = Hex.encode(sps[1...3])
                }
                append(stream, info: info, nalLengthSize: configuration?.lengthSize ?? 0)
                haveVideo = true
            case AVMEDIA_TYPE_AUDIO where !haveAudio:
                let codec: MediaCodec
                switch codecID {
                case AV_CODEC_ID_AAC: codec = .aac
                case AV_CODEC_ID_OPUS: codec = .opus
                case AV_CODEC_ID_PCM_MULAW: codec = .pcmu
                case AV_CODEC_ID_PCM_ALAW: codec = .pcma
                case AV_CODEC_ID_ADPCM_G722: codec = .g722
                default:
                    unsupported.append("audio \(name)")
                    continue
                }
                let rate = Int(parameters.pointee.sample_rate)
                let clock = codec == .opus ? 48_000 : (codec == .g722 ? 8_000 : max(rate, 1))
                let info = MediaTrackInfo(codec: codec, clockRate: clock, channels: Int(max(parameters.pointee.ch_layout.nb_channels, 1)),
                                          audioSpecificConfig: codec == .aac ? extradata : [])
                append(stream, info: info, nalLengthSize: 0)
                haveAudio = true
            default:
                continue
            }
        }
        guard !tracks.isEmpty else {
            throw MediaError(unsupported.isEmpty ? "no audio or video track" : "no supported track (found \(unsupported.joined(separator: ", ")))")
        }
    }

    private func append(_ stream: UnsafeMutablePointer<AVStream>, info: MediaTrackInfo, nalLengthSize: Int) {
        streams.append(Stream(index: stream.pointee.index, track: tracks.count, timeBase: stream.pointee.time_base,
                              codec: info.codec, clockRate: info.clockRate, nalLengthSize: nalLengthSize,
                              parameterSets: info.parameterSets))
        tracks.append(info)
    }

    /// The next frame of a selected track, or nil at the end of a file that does not loop.
    public func readFrame() throws(MediaError) -> (track: Int, frame: MediaFrame)? {
        guard let format else { return nil }
        var rewound = false
        while true {
            let status = av_read_frame(format, packet)
            if status == mb_averror_eof() || (status < 0 && loop && !rewound) {
                guard loop, !rewound, passEnd > 0 else { return nil }
                rewound = true
                loopOffset += passEnd - (passStart ?? 0)
                passEnd = 0
                passStart = nil
                let seeked = av_seek_frame(format, -1, 0, AVSEEK_FLAG_BACKWARD)
                guard seeked >= 0 else { throw .ffmpeg("cannot loop the file", seeked) }
                continue
            }
            guard status >= 0 else { throw .ffmpeg("cannot read the file", status) }
            defer { av_packet_unref(packet) }
            guard let stream = streams.first(where: { $0.index == packet.pointee.stream_index }) else { continue }
            guard let frame = frame(from: packet.pointee, stream: stream) else { continue }
            return (stream.track, frame)
        }
    }

    private func frame(from packet: AVPacket, stream: Stream) -> MediaFrame? {
        let nopts = mb_av_nopts_value()
        let pts = packet.pts != nopts ? packet.pts : packet.dts
        guard pts != nopts, let data = packet.data, packet.size > 0 else { return nil }
        let microseconds = AVRational(num: 1, den: 1_000_000)
        let start = av_rescale_q(pts, stream.timeBase, microseconds)
        passStart = min(passStart ?? start, start)
        passEnd = max(passEnd, av_rescale_q(pts + max(packet.duration, 1), stream.timeBase, microseconds))
        let timestamp = av_rescale_q(pts, stream.timeBase, AVRational(num: 1, den: Int32(stream.clockRate)))
            + av_rescale_q(loopOffset, microseconds, AVRational(num: 1, den: Int32(stream.clockRate)))
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(packet.size))
        let isKey = packet.flags & AV_PKT_FLAG_KEY != 0
        switch stream.codec {
        case .h264, .h265:
            var units = stream.nalLengthSize > 0 && !NALUnitSplitter.startsWithStartCode(bytes)
                ? NALUnitSplitter.lengthPrefixed(bytes, lengthSize: stream.nalLengthSize)
                : NALUnitSplitter.annexB(bytes)
            guard !units.isEmpty else { return nil }
            if isKey { units = ParameterSets.inserting(stream.parameterSets, into: units, codec: stream.codec) }
            return MediaFrame(codec: stream.codec, timestamp: timestamp, clockRate: stream.clockRate, isKeyframe: isKey, units: units)
        case .aac:
            return MediaFrame(codec: .aac, timestamp: timestamp, clockRate: stream.clockRate, units: [ADTS.stripped(Array(bytes))])
        default:
            return MediaFrame(codec: stream.codec, timestamp: timestamp, clockRate: stream.clockRate, units: [Array(bytes)])
        }
    }
}

/// ADTS headers (AAC in MPEG-TS or .aac files) removed: browsers' decoders and RTP want raw frames.
enum ADTS {
    static func stripped(_ frame: [UInt8]) -> [UInt8] {
        guard frame.count >= 7, frame[0] == 0xFF, frame[1] & 0xF0 == 0xF0 else { return frame }
        let headerLength = frame[1] & 0x01 == 0 ? 9 : 7
        return frame.count > headerLength ? Array(frame[headerLength...]) : frame
    }
}
