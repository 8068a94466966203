/// RTP and RTCP packets (RFC 3550). Filled in by the RTP/RTCP work.
public enum BridgeRTPModule {}
