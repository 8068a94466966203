import Foundation
import SwarmSupport

/// `--open-files N`: RLIMIT_NOFILE for this process and so for the gateways it starts. Each call costs the
/// gateway a socket per RTP port it probed and found taken (see the report), so many calls need more than a
/// shell's usual limit; raising the hard limit needs privileges.
enum OpenFileLimit {
    static var current: (soft: UInt64, hard: UInt64)? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    static func raise(to count: Int) throws {
        let hard = max(UInt64(count), current?.hard ?? 0)
        var limit = rlimit(rlim_cur: rlim_t(count), rlim_max: rlim_t(hard))
        guard setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw SwarmError("cannot set the open-file limit to \(count) (errno \(errno)); the hard limit is \(current?.hard ?? 0)")
        }
    }
}
