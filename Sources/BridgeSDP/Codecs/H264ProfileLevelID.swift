import BridgeCore

/// H.264 `profile-level-id` (RFC 6184 section 8.1): `profile_idc`, `profile-iop` (constraint flags) and
/// `level_idc`, each one byte in hex. Two ids name the same profile when their profile_idc and constraint
/// flags fall into the same row of the table below (the rows libwebrtc and RFC 6184 use).
public struct H264ProfileLevelID: Sendable, Hashable, CustomStringConvertible {
    public enum Profile: String, Sendable, Hashable, CaseIterable {
        case constrainedBaseline = "Constrained Baseline"
        case baseline = "Baseline"
        case main = "Main"
        case extended = "Extended"
        case constrainedHigh = "Constrained High"
        case high = "High"
        case high10 = "High 10"
        case high422 = "High 4:2:2"
        case predictiveHigh444 = "High 4:4:4 Predictive"
    }

    public var profileIDC: UInt8
    public var profileIOP: UInt8
    public var levelIDC: UInt8

    public init(profileIDC: UInt8, profileIOP: UInt8, levelIDC: UInt8) {
        self.profileIDC = profileIDC
        self.profileIOP = profileIOP
        self.levelIDC = levelIDC
    }

    /// Parses six hex digits; nil otherwise.
    public init?(_ text: String) {
        let trimmed = text.trimmingSpaces
        guard trimmed.count == 6, let value = UInt32(trimmed, radix: 16) else { return nil }
        self.init(profileIDC: UInt8(truncatingIfNeeded: value >> 16), profileIOP: UInt8(truncatingIfNeeded: value >> 8),
                  levelIDC: UInt8(truncatingIfNeeded: value))
    }

    /// The profile and level of the first SPS in `sprop-parameter-sets` (RFC 6184 section 8.1): bytes 1 to 3
    /// of the SPS NAL unit are profile_idc, the constraint flags and level_idc. Cameras get the fmtp
    /// profile-level-id wrong more often than the SPS, so the SPS wins when both are there.
    public init?(spropParameterSets: String) {
        for set in spropParameterSets.split(separator: ",") {
            guard let nal = Base64.decode(set), nal.count >= 4, nal[0] & 0x1F == 7 else { continue }
            self.init(profileIDC: nal[1], profileIOP: nal[2], levelIDC: nal[3])
            return
        }
        return nil
    }

    /// The profile and level a description's fmtp describes: from the SPS when present, else from
    /// profile-level-id, else the RFC 6184 default.
    public static func of(_ parameters: FormatParameters?) -> H264ProfileLevelID {
        parameters?["sprop-parameter-sets"].flatMap(H264ProfileLevelID.init(spropParameterSets:))
            ?? parameters?["profile-level-id"].flatMap { H264ProfileLevelID($0) } ?? .default
    }

    /// RFC 6184: when absent, profile-level-id is 420010 (Baseline, level 1).
    public static let `default` = H264ProfileLevelID(profileIDC: 0x42, profileIOP: 0x00, levelIDC: 0x0A)

    /// One row: profile_idc, a mask and value for the constraint flags, the profile.
    private static let table: [(idc: UInt8, mask: UInt8, value: UInt8, profile: Profile)] = [
        (0x42, 0b0100_1111, 0b0100_0000, .constrainedBaseline),  // x1xx0000
        (0x4D, 0b1000_1111, 0b1000_0000, .constrainedBaseline),  // 1xxx0000
        (0x58, 0b1100_1111, 0b1100_0000, .constrainedBaseline),  // 11xx0000
        (0x42, 0b0100_1111, 0b0000_0000, .baseline),             // x0xx0000
        (0x58, 0b1100_1111, 0b1000_0000, .baseline),             // 10xx0000
        (0x4D, 0b1010_1111, 0b0000_0000, .main),                 // 0x0x0000
        (0x58, 0b1100_1111, 0b0000_0000, .extended),             // 00xx0000
        (0x64, 0b1111_1111, 0b0000_0000, .high),                 // 00000000
        (0x64, 0b1111_1111, 0b0000_1100, .constrainedHigh),      // 00001100
        (0x6E, 0b1111_1111, 0b0000_0000, .high10),
        (0x7A, 0b1111_1111, 0b0000_0000, .high422),
        (0xF4, 0b1111_1111, 0b0000_0000, .predictiveHigh444),
    ]

    /// The profile, or nil for combinations no row names.
    public var profile: Profile? {
        Self.table.first { $0.idc == profileIDC && profileIOP & $0.mask == $0.value }?.profile
    }

    /// Level 1b is written as level_idc 11 with constraint_set3 for Baseline-family profiles.
    public var isLevel1b: Bool {
        levelIDC == 11 && profileIOP & 0b0001_0000 != 0 && [0x42, 0x4D, 0x58].contains(profileIDC)
    }

    /// Comparable level: level_idc, with level 1b between 1.0 (10) and 1.1 (11).
    var levelValue: Double {
        isLevel1b ? 10.5 : Double(levelIDC)
    }

    /// The level as H.264 writes it: 3.1 for level_idc 31, "1b" for level 1b.
    public var levelName: String {
        isLevel1b ? "1b" : "\(levelIDC / 10).\(levelIDC % 10)"
    }

    public var hex: String {
        Hex.encode([profileIDC, profileIOP, levelIDC])
    }

    public var description: String { "\(profile?.rawValue ?? "unknown profile") \(levelName) (\(hex))" }

    /// Same profile (the level may differ: see `CodecMatcher`).
    public func hasSameProfile(as other: H264ProfileLevelID) -> Bool {
        guard let profile, let otherProfile = other.profile else { return false }
        return profile == otherProfile
    }
}
