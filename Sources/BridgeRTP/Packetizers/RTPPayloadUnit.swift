/// One RTP payload a packetizer made from a frame: the bytes after the RTP header, the marker bit, and the
/// frame's timestamp in its clock (unwrapped). Made once per route; each viewer adds its own header.
public struct RTPPayloadUnit: Sendable, Equatable {
    public var payload: [UInt8]
    public var marker: Bool
    public var timestamp: Int64
    /// The first payload of a keyframe (where a new viewer may start).
    public var startsKeyframe: Bool

    public init(payload: [UInt8], marker: Bool, timestamp: Int64, startsKeyframe: Bool = false) {
        self.payload = payload
        self.marker = marker
        self.timestamp = timestamp
        self.startsKeyframe = startsKeyframe
    }

    /// The payload size that keeps a packet within WebRTC's 1200-byte MTU after the RTP header (12),
    /// an SRTP tag (up to 16) and room for a header extension.
    public static let webRTCMaxPayload = 1_150
}

/// Frames to RTP payloads, per codec.
public enum RTPPacketizer {
    /// H.264 (RFC 6184, packetization-mode 1), H.265 (RFC 7798) or one audio frame per packet.
    public static func packetize(_ frame: MediaFrame, maxPayload: Int = RTPPayloadUnit.webRTCMaxPayload) -> [RTPPayloadUnit] {
        var units: [RTPPayloadUnit] = []
        switch frame.codec {
        case .h264:
            for nal in frame.units where !nal.isEmpty { H264Packetizer.append(nal, maxPayload: maxPayload, to: &units, timestamp: frame.timestamp) }
        case .h265:
            for nal in frame.units where nal.count >= 2 { H265Packetizer.append(nal, maxPayload: maxPayload, to: &units, timestamp: frame.timestamp) }
        case .aac, .opus, .pcmu, .pcma, .g722:
            for payload in frame.units where !payload.isEmpty {
                units.append(RTPPayloadUnit(payload: payload, marker: false, timestamp: frame.timestamp))
            }
        }
        if frame.codec.isVideo, !units.isEmpty {
            units[units.count - 1].marker = true
            units[0].startsKeyframe = frame.isKeyframe
        }
        return units
    }
}
