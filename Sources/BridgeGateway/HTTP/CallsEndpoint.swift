import Hummingbird

/// One call route as `GET /api/v1/calls` shows it: never a password or a token.
struct CallRouteSummary: ResponseCodable, Equatable {
    struct Registration: ResponseCodable, Equatable {
        var account: String
        var state: SIPRegistrationStatus.State
        var error: String?
    }

    var name: String
    /// `username@registrar` when the route has an account.
    var account: String? = nil
    var registration: Registration? = nil
    /// The Request-URI user of the route's trunk.
    var trunkUser: String? = nil
    var fallback: String
    /// Whether the call page needs the route's bearer token.
    var protected: Bool
    /// The call in progress, nil when the route is idle.
    var active: ActiveCallSummary? = nil
}

/// The call in progress on a route, each leg as its RTCP shows it.
struct ActiveCallSummary: ResponseCodable, Equatable {
    struct Leg: ResponseCodable, Equatable {
        var packetsSent: UInt32
        var packetsReceived: UInt32
        /// Receiver reports the peer sent about the gateway's stream on this leg.
        var reports: Int
        /// From the peer's last report: the fraction of the gateway's packets it lost, its total loss, and
        /// its jitter in milliseconds.
        var fractionLost: Double
        var cumulativeLost: Int
        var jitterMilliseconds: Double
        var roundTripMilliseconds: Double?
    }

    var id: String
    var direction: String
    var established: Bool
    var phone: Leg?
    var browser: Leg?
}

struct CallRouteList: ResponseCodable, Equatable {
    /// Where phones and trunks reach the gateway (`host:port`, UDP and TCP), nil when SIP is off.
    var sip: String?
    var calls: [CallRouteSummary]
}

/// `GET /api/v1/calls`: the call routes with their registration state and calls in progress for the
/// operator (`AccessPolicy`); for anyone else only the names of the call routes without a token.
enum CallsEndpoint {
    static func addRoutes(to router: Router<GatewayRequestContext>, calls: [CallRouteConfig], callRoutes: [String: CallRoute],
                          sip: SIPEndpoint?, access: AccessPolicy)
    {
        router.get("api/v1/calls") { request, context in
            var list = list(calls: calls, sip: sip)
            guard access.isAdmin(request, context) else {
                return CallRouteList(sip: nil, calls: list.calls.filter { !$0.protected }.map {
                    CallRouteSummary(name: $0.name, fallback: $0.fallback, protected: false)
                })
            }
            for index in list.calls.indices {
                list.calls[index].active = await callRoutes[list.calls[index].name]?.activeCall()
            }
            return list
        }
    }

    static func list(calls: [CallRouteConfig], sip: SIPEndpoint?) -> CallRouteList {
        let registrations = sip?.registrations() ?? []
        return CallRouteList(
            sip: sip.map { "\($0.advertisedHost.contains(":") ? "[\($0.advertisedHost)]" : $0.advertisedHost):\($0.port)" },
            calls: calls.map { call in
                let status = registrations.first { $0.route == call.name }
                return CallRouteSummary(
                    name: call.name, account: call.account.map { "\($0.username)@\($0.registrar.hostPort)" },
                    registration: status.map { .init(account: $0.account, state: $0.state, error: $0.error) },
                    trunkUser: call.trunk?.user, fallback: call.fallback.description, protected: call.token != nil)
            })
    }
}
