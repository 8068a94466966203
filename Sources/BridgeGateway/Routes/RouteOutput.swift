import BridgeMedia
import BridgeRTP

/// One output stream of a route: its packetized payloads, made once for every viewer of that codec, the
/// transcoder when the codec differs from the source's, and for video the current GOP (from the last
/// keyframe on), which lets a new viewer start at once.
final class RouteOutput {
    let key: StreamKey
    let clockRate: Int
    let transcoder: AudioTranscoder?
    private(set) var gop = GOPCache()

    init(key: StreamKey, clockRate: Int, transcoder: AudioTranscoder?) {
        self.key = key
        self.clockRate = clockRate
        self.transcoder = transcoder
    }

    /// Payloads for one source frame (none while a transcoder fills its first Opus frame).
    func payloads(for frame: MediaFrame) -> [RTPPayloadUnit] {
        if let transcoder {
            return transcoder.transcode(frame).flatMap { RTPPacketizer.packetize($0) }
        }
        let units = RTPPacketizer.packetize(frame)
        if key.codec.isVideo { gop.remember(units) }
        return units
    }
}
