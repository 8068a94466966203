import Foundation

/// The wall clock as RTCP carries it (RFC 3550 section 4): seconds since 1900 in the high 32 bits, the
/// fraction in the low 32. Sender reports, and the round trips computed from them, read it here.
enum NTPClock {
    static func now() -> UInt64 {
        let unix = Date().timeIntervalSince1970
        let seconds = UInt64(unix) + 2_208_988_800
        let fraction = UInt64((unix - unix.rounded(.down)) * 4_294_967_296)
        return seconds << 32 | fraction
    }
}
