import BridgeDTLS
import Foundation
import NIOCore
import NIOPosix
import SwarmSupport

/// One measurement: a fresh gateway with N call routes (trunks `bench1…benchN` open to 127.0.0.1), a call
/// on each brought up in batches, then a steady window over which the gateway's CPU and RSS and the swarm's
/// packets and loss both ways are read; then every call hangs up with BYE and the gateway is stopped.
struct CallRun {
    /// What only the call swarm needs besides `SwarmSettings`.
    struct CallSettings: Sendable {
        /// How long each signalling step of a call's set-up may take.
        var stepTimeoutSeconds = 15
        /// First port of `sip.rtp_ports`; the range is sized for N calls.
        var rtpBase = 40_000
    }

    let settings: SwarmSettings
    let callSettings: CallSettings
    let mode: CallMode
    let calls: Int
    let payloads: TonePayloads
    let dtlsContext: DTLSContext
    let group: MultiThreadedEventLoopGroup

    func config() -> String {
        let lastPort = min(callSettings.rtpBase + 2 * calls + 199, 65_535)
        var text = """
            sip:
              enabled: true
              listen: '127.0.0.1:0'
              rtp_ports: \(callSettings.rtpBase)-\(lastPort)
            calls:

            """
        for index in 1...calls {
            text += "  - {name: bench\(index), trunk: {user: bench\(index), allow: [127.0.0.1]}}\n"
        }
        return text
    }

    func run(log: (String) -> Void) async -> CallRow {
        var row = CallRow(mode: mode, calls: calls)
        let label = "\(mode.rawValue) N=\(calls)"
        let gateway: GatewayProcess
        do {
            gateway = try settings.gateway(named: "calls-\(mode.rawValue)-\(calls)", config: config())
        } catch {
            row.failure = "\(error)"
            return row
        }
        var callGroups: [NIOLoopBound<CallGroup>] = []
        var handles: [NIOLoopBound<BenchCall>] = []
        do {
            try await gateway.start(timeout: .seconds(30))
            guard gateway.sipPort > 0 else { throw SwarmError("no SIP port in the gateway's banner; log: \(gateway.tail())") }
            log("\(label): gateway pid \(gateway.pid), http port \(gateway.httpPort), SIP port \(gateway.sipPort)")
            let (idlePercent, before) = try await ProcessWindow.idle(gateway: gateway, for: .seconds(2))
            row.idleCPUPercent = idlePercent
            row.rssBeforeKiB = before.rssKiB

            callGroups = try await CallGroup.make(on: group, payloads: payloads, mode: mode)
            handles = try await bringUp(gateway: gateway, groups: callGroups, row: &row, log: log)
            try await Task.sleep(for: .seconds(settings.warmupSeconds))

            _ = try await callGroups.onEachLoop { $0.markWindow() }
            let swarm0 = try await snapshot(callGroups)
            let process = try await ProcessWindow.measure(gateway: gateway, for: .seconds(settings.windowSeconds))
            let swarm1 = try await snapshot(callGroups)
            row.windowSeconds = process.seconds
            row.window = swarm1.since(swarm0)
            row.up = swarm1.up
            row.gatewayCPUSeconds = process.gatewayCPUSeconds
            row.swarmCPUSeconds = process.swarmCPUSeconds
            row.rssAfterKiB = process.gatewayRSSKiB
            let window = row.window
            log("\(label): window \(String(format: "%.1f", row.windowSeconds)) s; phone→browser \(window.downSent) sent, "
                + "\(window.downReceived) received, \(window.downExpected - window.downReceived) sequence gaps; browser→phone "
                + "\(window.upSent) sent, \(window.upReceived) received, \(window.upExpected - window.upReceived) sequence gaps; "
                + "\(window.browserDrops) browser-session drops; UDP receive-buffer drops (machine-wide) "
                + "\(process.udpReceiveBufferErrors.map(String.init) ?? "n/a")")
        } catch {
            row.failure = "\(error)"
            log("\(label): failed: \(error)")
        }
        _ = try? await callGroups.onEachLoop { $0.stop() }
        row.hungUp = await hangUp(handles)
        if !handles.isEmpty { log("\(label): \(row.hungUp) of \(handles.count) BYEs answered") }
        gateway.stop()
        _ = try? await callGroups.onEachLoop { $0.closeAll() }
        return row
    }

    private func snapshot(_ groups: [NIOLoopBound<CallGroup>]) async throws -> CallSnapshot {
        try await groups.onEachLoop { $0.snapshot }.reduce(CallSnapshot(), +)
    }

    /// Establishes calls `batch` at a time, spread over the loops, waiting (bounded) for each batch's
    /// media to flow before the next. Failed calls are counted, not fatal.
    private func bringUp(gateway: GatewayProcess, groups: [NIOLoopBound<CallGroup>], row: inout CallRow,
                         log: (String) -> Void) async throws -> [NIOLoopBound<BenchCall>] {
        let deadline = ContinuousClock.now + .seconds(settings.connectTimeoutSeconds)
        let setup = BenchCall.Setup(mode: mode, httpPort: gateway.httpPort, sipPort: gateway.sipPort, dtlsContext: dtlsContext,
                                    stepTimeout: .seconds(Int64(callSettings.stepTimeoutSeconds)))
        var handles: [NIOLoopBound<BenchCall>] = []
        var failed = 0
        var created = 0
        while created < calls {
            let range = (created + 1)...min(created + settings.batch, calls)
            let results = await withTaskGroup(of: (NIOLoopBound<BenchCall>?, Bool).self) { tasks in
                for index in range {
                    let callGroup = groups[index % groups.count]
                    tasks.addTask { [mode] in
                        guard let call = try? await CallGroup.addCall(to: callGroup, index: index, mode: mode) else { return (nil, false) }
                        do {
                            try await BenchCall.establish(call, setup: setup)
                            return (call, true)
                        } catch {
                            try? await call.eventLoop.submit { call.value.failure = "\(error)" }.get()
                            return (call, false)
                        }
                    }
                }
                var results: [(NIOLoopBound<BenchCall>?, Bool)] = []
                for await result in tasks { results.append(result) }
                return results
            }
            handles += results.compactMap { $0.0 }
            let succeeded = results.filter { $0.1 }.count
            failed += range.count - succeeded
            created = range.upperBound
            var state = try await snapshot(groups)
            let established = created - failed
            while state.up < established && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                state = try await snapshot(groups)
            }
            log("\(mode.rawValue) N=\(calls): \(state.up)/\(created) calls up" + (failed > 0 ? ", \(failed) failed to set up" : ""))
            if succeeded == 0 {
                row.note = "every call of a batch failed after \(created) calls"
                break
            }
            if ContinuousClock.now >= deadline {
                row.note = "set-up timeout (\(settings.connectTimeoutSeconds) s) after \(created) calls"
                break
            }
        }
        let state = try await snapshot(groups)
        row.up = state.up
        if state.up < calls {
            let reasons: [String: Int] = try await groups.onEachLoop { $0.failures }.reduce(into: [:]) { $0.merge($1, uniquingKeysWith: +) }
            let summary = "\(state.up) of \(calls) calls up; failures \(reasons)"
            row.note = row.note.map { $0 + "; " + summary } ?? summary
            log("\(mode.rawValue) N=\(calls): \(summary)")
        }
        guard state.up > 0 else { throw SwarmError("no call came up") }
        return handles
    }

    /// BYE from every phone, 50 at a time; the number answered with 2xx.
    private func hangUp(_ handles: [NIOLoopBound<BenchCall>]) async -> Int {
        var answered = 0
        for start in stride(from: 0, to: handles.count, by: 50) {
            let slice = handles[start..<min(start + 50, handles.count)]
            answered += await withTaskGroup(of: Bool.self) { tasks in
                for call in slice { tasks.addTask { await BenchCall.hangUp(call, timeout: .seconds(4)) } }
                var count = 0
                for await ok in tasks where ok { count += 1 }
                return count
            }
        }
        return answered
    }
}
