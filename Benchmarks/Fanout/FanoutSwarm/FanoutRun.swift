import BridgeDTLS
import BridgeICE
import Foundation
import NIOCore
import NIOPosix
import SwarmSupport

/// One measurement: a fresh gateway playing the clip on route `bench`, N swarm viewers brought up in
/// batches, then a steady window over which the gateway's CPU and RSS, the swarm's packets and loss, and
/// the route's `/metrics` packet counter are read.
struct FanoutRun {
    let settings: SwarmSettings
    let clipPath: String
    let viewers: Int
    let template: OfferTemplate
    let dtlsContext: DTLSContext
    let group: MultiThreadedEventLoopGroup

    func run(log: (String) -> Void) async -> FanoutRow {
        var row = FanoutRow(viewers: viewers, gatewayThreads: settings.gatewayThreads ?? SwarmCommandLine.processorCount)
        let gateway: GatewayProcess
        do {
            gateway = try settings.gateway(named: "fanout-\(viewers)", config: """
                routes:
                  - name: bench
                    source: file:\(clipPath)
                    mode: always-on
                    codecs:
                      audio: none

                """)
        } catch {
            row.failure = "\(error)"
            return row
        }
        var viewerGroups: [NIOLoopBound<ViewerGroup>] = []
        do {
            try await gateway.start(timeout: .seconds(30))
            log("N=\(viewers): gateway pid \(gateway.pid) on http port \(gateway.httpPort)")
            let http = TinyHTTPClient(group: group, port: gateway.httpPort)
            try await waitForFrames(http)
            // The gateway's cost without viewers (reading and packetizing the file), to tell it apart from fan-out.
            let (idlePercent, before) = try await ProcessWindow.idle(gateway: gateway, for: .seconds(3))
            row.idleCPUPercent = idlePercent
            row.rssBeforeKiB = before.rssKiB

            viewerGroups = try await ViewerGroup.make(on: group)
            try await bringUp(http: http, groups: viewerGroups, row: &row, log: log)
            try await Task.sleep(for: .seconds(settings.warmupSeconds))

            for viewerGroup in viewerGroups { try await viewerGroup.eventLoop.submit { viewerGroup.value.markWindow() }.get() }
            let swarm0 = try await snapshot(viewerGroups)
            let metrics0 = try? await routePacketsOut(http)
            let drops0 = try? await metricSum("mediabridge_route_drops_total", http)
            let process = try await ProcessWindow.measure(gateway: gateway, for: .seconds(settings.windowSeconds))
            let swarm1 = try await snapshot(viewerGroups)
            let metrics1 = try? await routePacketsOut(http)
            let drops1 = try? await metricSum("mediabridge_route_drops_total", http)
            row.gatewayViewers = try? await metric("mediabridge_route_viewers", http)

            row.windowSeconds = process.seconds
            row.connected = swarm1.connected
            row.gatewayCPUSeconds = process.gatewayCPUSeconds
            row.swarmCPUSeconds = process.swarmCPUSeconds
            row.swarmPackets = swarm1.rtp - swarm0.rtp
            row.expected = swarm1.expected - swarm0.expected
            row.gaps = swarm1.gaps - swarm0.gaps
            row.stalled = swarm1.stalled
            row.rssAfterKiB = process.gatewayRSSKiB
            if let metrics0, let metrics1 { row.metricsPackets = metrics1 - metrics0 }
            log("N=\(viewers): window \(String(format: "%.1f", row.windowSeconds)) s, \(row.swarmPackets) RTP received of \(row.expected) expected, "
                + "\(row.gaps) gaps, \(swarm1.drops - swarm0.drops) session drops, \(swarm1.rtcp - swarm0.rtcp) RTCP, "
                + "gateway route drops \(drops1.flatMap { end in drops0.map { String(format: "%.0f", end - $0) } } ?? "n/a")")
        } catch {
            row.failure = "\(error)"
            log("N=\(viewers): failed: \(error)")
        }
        gateway.stop()
        for viewerGroup in viewerGroups {
            try? await viewerGroup.eventLoop.submit { viewerGroup.value.closeAll() }.get()
        }
        return row
    }

    /// Bounded wait until the route's source delivers frames (`mediabridge_route_frames_in_total` > 0).
    private func waitForFrames(_ http: TinyHTTPClient) async throws {
        for _ in 0..<60 {
            if let frames = try? await metric("mediabridge_route_frames_in_total", http), frames > 0 { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw SwarmError("route bench delivered no frames within 30 s")
    }

    private func routePacketsOut(_ http: TinyHTTPClient) async throws -> Double {
        guard let value = try await metric("mediabridge_route_packets_out_total", http) else {
            throw SwarmError("no mediabridge_route_packets_out_total for route bench")
        }
        return value
    }

    /// The sum of every `name` sample for route `bench` (all label sets, e.g. drop reasons).
    private func metricSum(_ name: String, _ http: TinyHTTPClient) async throws -> Double {
        let response = try await http.request("GET", "/metrics")
        guard response.status == 200 else { throw SwarmError("/metrics answered \(response.status)") }
        return response.body.split(separator: "\n")
            .filter { $0.hasPrefix(name + "{") && $0.contains("route=\"bench\"") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }

    /// The sample of `name` for route `bench` on `/metrics` (Prometheus text format).
    private func metric(_ name: String, _ http: TinyHTTPClient) async throws -> Double? {
        let response = try await http.request("GET", "/metrics")
        guard response.status == 200 else { return nil }
        for line in response.body.split(separator: "\n") where line.hasPrefix(name + "{") && line.contains("route=\"bench\"") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }

    private func snapshot(_ groups: [NIOLoopBound<ViewerGroup>]) async throws -> SwarmSnapshot {
        try await groups.onEachLoop { $0.snapshot }.reduce(SwarmSnapshot(), +)
    }

    /// POSTs offers `batch` at a time, spread over the loops, waiting (bounded) for each batch to connect.
    private func bringUp(http: TinyHTTPClient, groups: [NIOLoopBound<ViewerGroup>], row: inout FanoutRow,
                         log: (String) -> Void) async throws {
        let deadline = ContinuousClock.now + .seconds(settings.connectTimeoutSeconds)
        let fingerprint = dtlsContext.certificate.sha256Fingerprint
        var created = 0
        var offersFailed = 0
        var failureReasons: [String: Int] = [:]
        while created < viewers {
            let range = created..<min(created + settings.batch, viewers)
            // A failed offer (refused, or no answer in time from a saturated gateway) is counted, not fatal.
            let failures = await withTaskGroup(of: String?.self) { tasks in
                for index in range {
                    let viewerGroup = groups[index % groups.count]
                    tasks.addTask { [template, dtlsContext] in
                        do {
                            let local = ICELiteAgent.Credentials(ufrag: "swarm\(index)", pwd: "swarm-viewer-\(index)-password-0123456789")
                            let offer = try template.offer(ufrag: local.ufrag, pwd: local.pwd, fingerprint: fingerprint)
                            let response = try await http.request("POST", "/whep/bench", contentType: "application/sdp", body: offer)
                            guard response.status == 201 else {
                                throw SwarmError("WHEP POST answered \(response.status): \(response.body.prefix(120))")
                            }
                            let answer = try GatewayTransport(parsing: response.body)
                            try await ViewerGroup.addViewer(to: viewerGroup, local: local, answer: answer, dtlsContext: dtlsContext)
                            return nil
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var failures: [String] = []
                for await failure in tasks { if let failure { failures.append(failure) } }
                return failures
            }
            offersFailed += failures.count
            for failure in failures { failureReasons[failure, default: 0] += 1 }
            if failures.count == range.count {
                row.note = "every offer of a batch failed after \(range.upperBound) offers"
                log("N=\(viewers): no offer of viewers \(range) succeeded: \(failureReasons)")
                break
            }
            created = range.upperBound
            // Bounded wait for this batch's handshakes before the next one.
            var state = try await snapshot(groups)
            while state.connected + state.closed < created && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                state = try await snapshot(groups)
            }
            log("N=\(viewers): \(state.connected)/\(created) connected"
                + (state.closed > 0 ? ", \(state.closed) closed" : "") + (offersFailed > 0 ? ", \(offersFailed) offers failed" : ""))
            if ContinuousClock.now >= deadline {
                row.note = "connect timeout (\(settings.connectTimeoutSeconds) s) after \(created) offers"
                break
            }
        }
        // Viewers that failed are reported, and the window measures the ones that connected: a
        // saturated gateway shows as fewer connected viewers and as loss, not as no row at all.
        let state = try await snapshot(groups)
        row.connected = state.connected
        guard state.connected > 0 else { throw SwarmError("no viewer connected") }
        if state.closed > 0 || state.connected < viewers {
            var reasons: [String: Int] = [:]
            for viewerGroup in groups {
                let groupReasons = try await viewerGroup.eventLoop.submit { viewerGroup.value.closeReasons }.get()
                reasons.merge(groupReasons, uniquingKeysWith: +)
            }
            var summary = "\(state.connected) of \(viewers) connected; \(state.closed) closed during set-up \(reasons)"
            if offersFailed > 0 { summary += "; \(offersFailed) offers failed \(failureReasons)" }
            row.note = row.note.map { $0 + "; " + summary } ?? summary
            log("N=\(viewers): \(summary)")
        }
        if let profile = try await groups[0].eventLoop.submit({ groups[0].value.profiles }).get().first {
            log("N=\(viewers): SRTP profile \(profile)")
        }
    }
}
