import Benchmark
import BridgeCore
import BridgeICE
import BridgeSRTP
import BridgeSTUN
import BridgeWebRTC
import CSRTPBaseline

/// Per-packet costs of the WebRTC transport: SRTP protect against raw libsrtp (the named baseline), the ICE
/// check a browser sends every few seconds per session, and the whole session path across 500 sessions.
///
/// Per-packet benchmarks use `scalingFactor: .kilo` (one measured iteration = 1000 packets), so time, throughput
/// and allocation figures in the table are per packet; the session benchmarks measure batches of 10 000 packets
/// (and add `.cpuTotal`, whose 10 ms tick resolution is useless for the per-packet ones).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo, maxDuration: .seconds(2))

    // MARK: 1. SRTP protect, ours vs libsrtp from C, one session

    for profile in SRTPProfile.allCases {
        Benchmark("SRTP protect 1200 B, SRTPContext in place, \(profile)",
                  configuration: .init(setup: { _ = ProtectLoop.single(profile) })) { benchmark in
            let loop = ProtectLoop.single(profile)
            for _ in benchmark.scaledIterations { loop.protectNext() }
        }
        Benchmark("SRTP protect 1200 B, libsrtp srtp_protect from C (baseline), \(profile)",
                  configuration: .init(setup: { _ = BaselineLoop.single(profile) })) { benchmark in
            let status = mb_baseline_protect(BaselineLoop.single(profile), Int32(benchmark.scaledIterations.count))
            if status != 0 { benchmark.error("srtp_protect failed with status \(status)") }
        }
    }

    // The copying `protect(_: [UInt8]) -> [UInt8]` that WebRTCSession.send(rtp:) uses today.
    Benchmark("SRTP protect 1200 B, SRTPContext copying [UInt8] API, \(SRTPProfile.aeadAES128GCM)",
              configuration: .init(setup: { _ = ProtectLoop.single(.aeadAES128GCM) })) { benchmark in
        let loop = ProtectLoop.single(.aeadAES128GCM)
        for _ in benchmark.scaledIterations { loop.protectNextCopying() }
    }

    // MARK: 1b. The same across 500 live sessions, round robin (what the 500-session run pays in crypto alone)

    Benchmark("SRTP protect 1200 B, SRTPContext, 500 sessions round robin, \(SRTPProfile.aeadAES128GCM)",
              configuration: .init(setup: { _ = ProtectLoop.many })) { benchmark in
        let loops = ProtectLoop.many
        var index = 0
        for _ in benchmark.scaledIterations {
            loops[index].protectNext()
            index = index == loops.count - 1 ? 0 : index + 1
        }
    }
    Benchmark("SRTP protect 1200 B, libsrtp from C (baseline), 500 sessions round robin, \(SRTPProfile.aeadAES128GCM)",
              configuration: .init(setup: { _ = BaselineLoop.many })) { benchmark in
        let sessions = BaselineLoop.many
        var index = 0
        for _ in benchmark.scaledIterations {
            if mb_baseline_protect(sessions[index], 1) != 0 { benchmark.error("srtp_protect failed") }
            index = index == sessions.count - 1 ? 0 : index + 1
        }
    }

    // MARK: 1c. 3000 live sessions: libsrtp initialising NSS itself (NSS_INIT_OPTIMIZESPACE) against NSS
    // initialised first by SRTPContext. Each benchmark runs in its own process, so the first one never sees
    // our initialisation; the ratio of the two is the figure (PERFORMANCE.md).

    Benchmark("SRTP protect 1200 B, libsrtp from C, 3000 sessions round robin, NSS left to libsrtp, \(SRTPProfile.aeadAES128GCM)",
              configuration: .init(setup: { _ = BaselineLoop.crowd })) { benchmark in
        protectRoundRobin(BaselineLoop.crowd, benchmark)
    }
    Benchmark("SRTP protect 1200 B, libsrtp from C, 3000 sessions round robin, NSS initialised by SRTPContext, \(SRTPProfile.aeadAES128GCM)",
              configuration: .init(setup: { _ = ProtectLoop.single(.aeadAES128GCM); _ = BaselineLoop.crowd })) { benchmark in
        protectRoundRobin(BaselineLoop.crowd, benchmark)
    }

    // The same two with the 500-pair session swarm alive (2000 more libsrtp sessions in the process), the
    // crypto-only baseline for the session benchmarks below: libsrtp on NSS slows down with live sessions.
    // The swarm is built first: it initialises libsrtp through SRTPContext.
    Benchmark("SRTP protect 1200 B, SRTPContext, 500 sessions round robin, swarm alive, \(SRTPProfile.aeadAES128GCM)",
              configuration: .init(scalingFactor: .kilo, setup: { _ = Swarm.shared; _ = ProtectLoop.many })) { benchmark in
        let loops = ProtectLoop.many
        var index = 0
        for _ in benchmark.scaledIterations {
            loops[index].protectNext()
            index = index == loops.count - 1 ? 0 : index + 1
        }
    }
    Benchmark("SRTP protect 1200 B, libsrtp from C (baseline), 500 sessions round robin, swarm alive, \(SRTPProfile.aeadAES128GCM)",
              configuration: .init(scalingFactor: .kilo, setup: { _ = Swarm.shared; _ = BaselineLoop.many })) { benchmark in
        let sessions = BaselineLoop.many
        var index = 0
        for _ in benchmark.scaledIterations {
            if mb_baseline_protect(sessions[index], 1) != 0 { benchmark.error("srtp_protect failed") }
            index = index == sessions.count - 1 ? 0 : index + 1
        }
    }

    // Harness-free cross-check: the C loop timing itself (mb_baseline_protect_loop), 100 000 packets per run,
    // reported as thousands of packets per second.
    for profile in SRTPProfile.allCases {
        Benchmark("SRTP libsrtp self-timed C loop (100k packets), \(profile)",
                  configuration: .init(metrics: [.custom("k packets/s (C clock)", polarity: .prefersLarger, useScalingFactor: false)],
                                       scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 20)) { benchmark in
            let packetsPerSecond = mb_baseline_protect_loop(Int32(profile.rawValue), 100_000)
            if packetsPerSecond < 0 { benchmark.error("mb_baseline_protect_loop failed: \(packetsPerSecond)") }
            benchmark.measurement(.custom("k packets/s (C clock)", polarity: .prefersLarger, useScalingFactor: false),
                                  Int(packetsPerSecond / 1000))
        }
    }

    // MARK: 2. STUN: a browser's ICE Binding request

    Benchmark("STUN parse + FINGERPRINT + MESSAGE-INTEGRITY check, ICE Binding request") { benchmark in
        let request = STUNFixture.request, key = STUNFixture.key
        for _ in benchmark.scaledIterations {
            guard let message = try? STUNMessage(parsing: request),
                  STUNIntegrity.hasValidFingerprint(message),
                  STUNIntegrity.hasValidIntegrity(message, key: key)
            else { benchmark.error("the request did not verify"); return }
            blackHole(message)
        }
    }
    // What the gateway does per check: parse, then ICELiteAgent.handleSTUN (verify, learn, build the signed response).
    Benchmark("STUN ICE check end to end: parse + ICELiteAgent.handleSTUN (verify + signed response)") { benchmark in
        var agent = ICELiteAgent(local: STUNFixture.gatewayICE, remote: STUNFixture.browserICE,
                                 now: MonotonicInstant(nanoseconds: 1_000_000_000))
        let request = STUNFixture.request, source = STUNFixture.browserAddress
        let now = MonotonicInstant(nanoseconds: 2_000_000_000)
        for _ in benchmark.scaledIterations {
            guard let message = try? STUNMessage(parsing: request),
                  case .respond(let response) = agent.handleSTUN(message, from: source, now: now)
            else { benchmark.error("the check was not answered"); return }
            blackHole(response)
        }
        while agent.pollEvent() != nil {}
    }

    // MARK: 4. 500 sessions: demux + protect + "write", and both receive directions

    let batch = 10_000
    let sessionConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(3),
        setup: { _ = Swarm.shared })

    Benchmark("Sessions x500: send(rtp:) + pollOutput + write, 10 000 packets round robin",
              configuration: sessionConfiguration) { benchmark in
        let swarm = Swarm.shared
        let sessions = swarm.gateways.count
        var written = 0
        for n in 0..<batch {
            let index = n % sessions
            swarm.nextGatewayPacket(index)
            let session = swarm.gateways[index]
            session.send(rtp: swarm.packet)
            while let output = session.pollOutput() {
                if case .datagram(let bytes, _) = output { written &+= bytes.count }
            }
        }
        guard written == batch * (12 + SessionSwarm.payloadLength + swarm.profile.rtpOverhead) else {
            benchmark.error("wrote \(written) bytes for \(batch) packets"); return
        }
        blackHole(written)
    }

    Benchmark("Sessions x500: client receive (demux + unprotect + event), 10 000 packets round robin",
              configuration: sessionConfiguration) { benchmark in
        let swarm = Swarm.shared
        let sessions = swarm.gateways.count
        // Not measured: fresh protected datagrams from the gateway sessions (replay windows need new ones).
        var datagrams: [[UInt8]] = []
        datagrams.reserveCapacity(batch)
        for n in 0..<batch {
            let index = n % sessions
            swarm.nextGatewayPacket(index)
            swarm.gateways[index].send(rtp: swarm.packet)
            while let output = swarm.gateways[index].pollOutput() {
                if case .datagram(let bytes, _) = output { datagrams.append(bytes) }
            }
        }
        let receivedBefore = swarm.clients.reduce(0) { $0 + $1.received.rtp }
        benchmark.startMeasurement()
        var read = 0
        for (n, datagram) in datagrams.enumerated() {
            let client = swarm.clients[n % sessions]
            client.handleDatagram(datagram, from: SessionSwarm.gatewayAddress, now: swarm.now)
            while let output = client.pollOutput() {
                if case .event(.rtp(let plain)) = output { read &+= plain.count }
            }
        }
        benchmark.stopMeasurement()
        let received = swarm.clients.reduce(0) { $0 + $1.received.rtp } - receivedBefore
        if received != batch || read != batch * (12 + SessionSwarm.payloadLength) {
            benchmark.error("clients took \(received) of \(batch) packets (\(read) bytes)")
        }
    }

    Benchmark("Sessions x500: gateway receive (demux + ICE check + unprotect + event), 10 000 packets round robin",
              configuration: sessionConfiguration) { benchmark in
        let swarm = Swarm.shared
        let sessions = swarm.gateways.count
        var datagrams: [[UInt8]] = []
        datagrams.reserveCapacity(batch)
        for n in 0..<batch {
            let index = n % sessions
            swarm.nextClientPacket(index)
            swarm.clients[index].send(rtp: swarm.packet)
            while let output = swarm.clients[index].pollOutput() {
                if case .datagram(let bytes, _) = output { datagrams.append(bytes) }
            }
        }
        let dropsBefore = swarm.gateways.reduce(0) { $0 + $1.drops.total }
        benchmark.startMeasurement()
        var read = 0
        for (n, datagram) in datagrams.enumerated() {
            let index = n % sessions
            let session = swarm.gateways[index]
            session.handleDatagram(datagram, from: swarm.browserAddresses[index], now: swarm.now)
            while let output = session.pollOutput() {
                if case .event(.rtp(let plain)) = output { read &+= plain.count }
            }
        }
        benchmark.stopMeasurement()
        let drops = swarm.gateways.reduce(0) { $0 + $1.drops.total } - dropsBefore
        if drops != 0 || read != batch * (12 + SessionSwarm.payloadLength) {
            benchmark.error("gateway dropped \(drops) of \(batch) packets (\(read) bytes read)")
        }
    }
}

// MARK: Fixtures, built once per process outside any measurement (each benchmark's setup touches them)

/// One outbound SRTPContext and a reused 1200-byte-payload packet buffer with room for the tag.
final class ProtectLoop {
    let context: SRTPContext
    let buffer: UnsafeMutableRawBufferPointer
    var sequence: UInt16 = 0
    static let length = 12 + 1200

    init(profile: SRTPProfile, seed: UInt8) {
        // Same key pattern as the C baseline; any key works.
        let key = (0..<profile.keyLength).map { UInt8(0x10 + $0) &+ seed }
        let salt = (0..<profile.saltLength).map { UInt8(0x10 + profile.keyLength + $0) }
        context = try! SRTPContext(profile: profile, key: key, salt: salt, direction: .outbound)
        buffer = .allocate(byteCount: Self.length + profile.rtpOverhead, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0x42)
        let header: [UInt8] = [0x80, 96, 0, 0, 0, 0, 0x10, 0, 0xCA, 0xFE, 0xBA, 0xBE]
        for (offset, byte) in header.enumerated() { buffer[offset] = byte }
    }

    /// Fresh sequence number in bytes 2-3, then protect in place (as the C loop does).
    @inline(__always)
    func protectNext() {
        sequence &+= 1
        buffer[2] = UInt8(sequence >> 8)
        buffer[3] = UInt8(sequence & 0xFF)
        do {
            blackHole(try context.protect(buffer, length: Self.length))
        } catch {
            fatalError("protect failed: \(error)")
        }
    }

    @inline(__always)
    func protectNextCopying() {
        sequence &+= 1
        buffer[2] = UInt8(sequence >> 8)
        buffer[3] = UInt8(sequence & 0xFF)
        let packet = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[0..<Self.length]))
        blackHole(try? context.protect(packet))
    }

    nonisolated(unsafe) static let gcm = ProtectLoop(profile: .aeadAES128GCM, seed: 0)
    nonisolated(unsafe) static let cm = ProtectLoop(profile: .aes128CMHMACSHA1_80, seed: 0)
    nonisolated(unsafe) static let many = (0..<500).map { ProtectLoop(profile: .aeadAES128GCM, seed: UInt8(truncatingIfNeeded: $0)) }

    static func single(_ profile: SRTPProfile) -> ProtectLoop {
        profile == .aeadAES128GCM ? gcm : cm
    }
}

/// The raw libsrtp sessions, created by the C target.
/// One protect per iteration over `sessions`, in turn.
func protectRoundRobin(_ sessions: [OpaquePointer], _ benchmark: Benchmark) {
    var index = 0
    for _ in benchmark.scaledIterations {
        if mb_baseline_protect(sessions[index], 1) != 0 { benchmark.error("srtp_protect failed") }
        index = index == sessions.count - 1 ? 0 : index + 1
    }
}

enum BaselineLoop {
    nonisolated(unsafe) static let gcm = mb_baseline_create(Int32(SRTPProfile.aeadAES128GCM.rawValue))!
    nonisolated(unsafe) static let cm = mb_baseline_create(Int32(SRTPProfile.aes128CMHMACSHA1_80.rawValue))!
    nonisolated(unsafe) static let many = (0..<500).map { _ in mb_baseline_create(Int32(SRTPProfile.aeadAES128GCM.rawValue))! }
    nonisolated(unsafe) static let crowd = (0..<3000).map { _ in mb_baseline_create(Int32(SRTPProfile.aeadAES128GCM.rawValue))! }

    static func single(_ profile: SRTPProfile) -> OpaquePointer {
        profile == .aeadAES128GCM ? gcm : cm
    }
}

/// A browser's ICE Binding request as Chromium sends it to an ICE-lite gateway.
enum STUNFixture {
    static let gatewayICE = ICELiteAgent.Credentials(ufrag: "gwU1", pwd: "gateway-password-0123456789")
    static let browserICE = ICELiteAgent.Credentials(ufrag: "brU1", pwd: "browser-password-0123456789")
    static let browserAddress = TransportAddress(ipv4: 192, 168, 1, 20, port: 50_000)
    static let key = STUNShortTermKey(password: gatewayICE.pwd)
    static let request: [UInt8] = {
        var builder = STUNMessageBuilder(type: .bindingRequest,
                                         transactionID: STUNTransactionID(bytes: Array(1...12)))
        builder.appendUsername("\(gatewayICE.ufrag):\(browserICE.ufrag)")
        builder.appendICEControlling(0x5EED_5EED_5EED_5EED)
        builder.appendPriority((110 << 24) + (65535 << 8) + 255)
        builder.appendUseCandidate()
        builder.appendMessageIntegrity(key: Array(gatewayICE.pwd.utf8))
        builder.appendFingerprint()
        return builder.message
    }()
}

enum Swarm {
    nonisolated(unsafe) static let shared: SessionSwarm = {
        do {
            return try SessionSwarm(count: 500)
        } catch {
            fatalError("could not connect the session swarm: \(error)")
        }
    }()
}
