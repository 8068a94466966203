import BridgeCore
import BridgeSIP

/// One call route (`calls[]`): where SIP calls for a name ring browsers on its call page, and how browsers
/// on that page call out. Every key is documented in `config/mediabridge.reference.yaml`.
public struct CallRouteConfig: Sendable {
    /// What a call gets when no browser takes it.
    public enum Fallback: Sendable, Hashable, CustomStringConvertible {
        /// 486 Busy Here.
        case busy
        /// 603 Decline.
        case decline
        /// 302 Moved Temporarily to this URI.
        case redirect(SIPURI)

        /// The final status the fallback answers with.
        public var status: Int {
            switch self {
            case .busy: 486
            case .decline: 603
            case .redirect: 302
            }
        }

        public var description: String {
            switch self {
            case .busy: "busy"
            case .decline: "decline"
            case .redirect(let uri): uri.description
            }
        }
    }

    /// A SIP account the gateway registers at a registrar; calls for its username come to this route.
    public struct Account: Sendable {
        /// The registrar (also the outbound proxy for the route's calls).
        public var registrar: SIPURI
        public var username: String
        public var password: Redacted
        /// The address-of-record domain; nil uses the registrar's host.
        public var domain: String?
        /// Asked-for registration lifetime in seconds.
        public var expires: UInt32

        public var credentials: SIPCredentials { SIPCredentials(username: username, password: password) }
        /// `sip:username@domain`.
        public var addressOfRecord: SIPURI { SIPURI(user: username, host: domain ?? registrar.host) }
    }

    /// A SIP trunk (a PBX or provider sending calls straight to the gateway).
    public struct Trunk: Sendable {
        /// The Request-URI user that selects this route.
        public var user: String
        /// Sources that may call without credentials; empty allows every source (unless credentials are set).
        public var allow: [IPNetwork]
        /// Digest credentials asked of callers not on the allow list.
        public var credentials: SIPCredentials?

        /// Whether `address` may call without a challenge.
        public func allows(_ address: TransportAddress) -> Bool {
            if allow.isEmpty { return credentials == nil }
            return allow.contains { $0.contains(address) }
        }
    }

    public var name: String
    /// Bearer token for the call page.
    public var token: Redacted?
    public var ringTimeout: Duration
    public var fallback: Fallback
    public var dial: DialTemplate?
    /// `sip:` URIs a page may type besides numbers through `dial`; empty (the default) allows none, so a page
    /// cannot place calls to arbitrary hosts or through the route's account (toll fraud).
    public var allowURIs: [URIPattern] = []
    /// Call pages connected at once; the next is refused.
    public var maxPages = 16
    public var account: Account?
    public var trunk: Trunk?
    /// How the route checks its TLS peers (its registrar, a `sips:` or `;transport=tls` call target).
    public var tlsVerification: TLSVerification = .full
}
