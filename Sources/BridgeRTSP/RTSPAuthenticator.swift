import BridgeCore
import Crypto

/// Answers a camera's `WWW-Authenticate` challenge: Basic (RFC 7617) or Digest with MD5 (RFC 2617), with
/// `qop=auth` (cnonce and nonce count) or without (the RFC 2069 form gst-rtsp-server and many cameras send).
///
/// Digest is preferred when a camera offers both. Over plain rtsp, once a camera offered Digest, a later
/// challenge with Basic only is refused (`refusedDowngrade`): someone on the path could be asking for the
/// password in clear. The password is read only to compute the answer; nothing here prints it.
public struct RTSPAuthenticator: Sendable {
    public enum Scheme: Sendable, Hashable {
        case basic
        case digest(DigestChallenge)
    }

    public struct DigestChallenge: Sendable, Hashable {
        public var realm: String
        public var nonce: String
        public var opaque: String?
        public var algorithm: String?
        /// True when the challenge's qop list offers `auth`.
        public var qopAuth: Bool
    }

    public let username: String
    public let password: Redacted
    public private(set) var scheme: Scheme?
    /// The connection is TLS (rtsps): Basic is not in clear there.
    public let overTLS: Bool
    /// A Digest challenge was seen (on this session, across redirects to the same host).
    public private(set) var sawDigest = false
    /// The last `accept` refused a Basic-only challenge after Digest over plain rtsp.
    public private(set) var refusedDowngrade = false
    private var nonceCount: UInt32 = 0

    public init(username: String, password: Redacted, overTLS: Bool = false) {
        self.username = username
        self.password = password
        self.overTLS = overTLS
    }

    /// The same credentials for a new connection to the same host: no challenge yet, but what was seen stays.
    public func forNextConnection() -> RTSPAuthenticator {
        var next = RTSPAuthenticator(username: username, password: password, overTLS: overTLS)
        next.sawDigest = sawDigest
        return next
    }

    /// Takes the challenges of a 401 (every `WWW-Authenticate` value); false when none is one we can answer.
    public mutating func accept(challenges: [String]) -> Bool {
        refusedDowngrade = false
        var basic = false
        for challenge in challenges {
            let (name, parameters) = Self.parseChallenge(challenge)
            switch name.lowercased() {
            case "digest":
                guard let nonce = parameters["nonce"] else { continue }
                let algorithm = parameters["algorithm"]
                if let algorithm, !["md5", "md5-sess"].contains(algorithm.lowercased()) { continue }
                let qop = parameters["qop"]?.split(separator: ",").map { $0.trimmingCharacters(in: " \t").lowercased() }
                if let qop, !qop.contains("auth") { continue }  // auth-int only: we do not hash bodies
                scheme = .digest(DigestChallenge(realm: parameters["realm"] ?? "", nonce: nonce, opaque: parameters["opaque"],
                                                 algorithm: algorithm, qopAuth: qop != nil))
                nonceCount = 0
                sawDigest = true
                return true
            case "basic":
                basic = true
            default:
                continue
            }
        }
        guard basic else { return false }
        if sawDigest && !overTLS {
            refusedDowngrade = true
            return false
        }
        scheme = .basic
        return true
    }

    /// The `Authorization` value for a request; nil before a challenge was accepted. `cnonce` is the client
    /// nonce for `qop=auth` (random in production, fixed in tests).
    public mutating func authorization(method: String, uri: String, cnonce: String) -> String? {
        switch scheme {
        case nil:
            return nil
        case .basic:
            return "Basic " + Base64.encode(Array("\(username):\(password.revealed)".utf8))
        case .digest(let challenge):
            var ha1 = Self.md5Hex("\(username):\(challenge.realm):\(password.revealed)")
            if challenge.algorithm?.lowercased() == "md5-sess" {
                ha1 = Self.md5Hex("\(ha1):\(challenge.nonce):\(cnonce)")
            }
            let ha2 = Self.md5Hex("\(method):\(uri)")
            var value = "Digest username=\"\(username)\", realm=\"\(challenge.realm)\", nonce=\"\(challenge.nonce)\", uri=\"\(uri)\""
            if challenge.qopAuth {
                nonceCount &+= 1
                let nc = Self.hex8(nonceCount)
                let response = Self.md5Hex("\(ha1):\(challenge.nonce):\(nc):\(cnonce):auth:\(ha2)")
                value += ", response=\"\(response)\", qop=auth, nc=\(nc), cnonce=\"\(cnonce)\""
            } else {
                value += ", response=\"\(Self.md5Hex("\(ha1):\(challenge.nonce):\(ha2)"))\""
            }
            if let algorithm = challenge.algorithm { value += ", algorithm=\(algorithm)" }
            if let opaque = challenge.opaque { value += ", opaque=\"\(opaque)\"" }
            return value
        }
    }

    static func md5Hex(_ text: String) -> String {
        let digest = Insecure.MD5.hash(data: Array(text.utf8))
        return digest.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }

    static func hex8(_ value: UInt32) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - text.count)) + text
    }

    /// `Digest realm="a, b", nonce=xyz` into the scheme name and lower-cased parameter names. Quoted values
    /// keep their commas; backslash escapes are undone.
    static func parseChallenge(_ text: String) -> (String, [String: String]) {
        let characters = Array(text.trimmingCharacters(in: " \t"))
        var index = 0
        var name = ""
        while index < characters.count, characters[index] != " " {
            name.append(characters[index])
            index += 1
        }
        var parameters: [String: String] = [:]
        while index < characters.count {
            while index < characters.count, characters[index] == " " || characters[index] == "," || characters[index] == "\t" {
                index += 1
            }
            var key = ""
            while index < characters.count, characters[index] != "=", characters[index] != "," {
                key.append(characters[index])
                index += 1
            }
            guard index < characters.count, characters[index] == "=" else { continue }
            index += 1
            while index < characters.count, characters[index] == " " { index += 1 }
            var value = ""
            if index < characters.count, characters[index] == "\"" {
                index += 1
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < characters.count { index += 1 }
                    value.append(characters[index])
                    index += 1
                }
                index += 1
            } else {
                while index < characters.count, characters[index] != "," {
                    value.append(characters[index])
                    index += 1
                }
            }
            let trimmedKey = key.trimmingCharacters(in: " \t").lowercased()
            if !trimmedKey.isEmpty, parameters[trimmedKey] == nil {
                parameters[trimmedKey] = value.trimmingCharacters(in: " \t")
            }
        }
        return (name, parameters)
    }
}
