/// The built-in handler of a call route while no call page takes its calls: every incoming call gets the
/// route's `fallback` (486 busy, 603 decline, or 302 to the fallback URI). The call page's handler
/// replaces it (`SIPEndpoint.setHandler` or the gateway's `callHandlers`).
public final class FallbackCallHandler: CallRouteHandler {
    public let routeName: String
    public let fallback: CallRouteConfig.Fallback

    public init(route: CallRouteConfig) {
        routeName = route.name
        fallback = route.fallback
    }

    public func incomingCall(_ call: any SIPCallControl) {
        call.reject(status: fallback.status)
    }
}
