import BridgeCore
import BridgeRTP

/// A phone leg's telephony: RFC 4733 events, the DTMF packet train the gateway sends, the symmetric-RTP
/// latch and the leg's RTCP reporter. The input is read front to back:
///
/// ```
/// | code | duration ms (2, 0…10 000) | clock rate (4, 1…1 000 000) | latch steps (count, 4 bytes each) |
/// | RTP arrivals (count, 4 bytes each) | RTCP compound, and 4-byte telephone-event payloads: the rest |
/// ```
///
/// A packet train that does not start with the marker, end with three end packets or run forwards, an event
/// that does not survive its own payload, or an accepted packet the latch then sends elsewhere is a finding.
public enum TelephonyFuzzEntry {
    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        var input = FuzzInput(bytes)
        packetTrain(&input, &findings)
        latch(&input, &findings)
        reporter(&input, &findings)
        let rest = Array(input.remaining)
        var offset = 0
        while offset + 4 <= rest.count, offset < 256 {
            if let event = TelephoneEvent(payload: rest[offset..<(offset + 4)]) {
                findings.check(TelephoneEvent(payload: event.payload) == event, "\(event) changed through its payload")
                if let digit = TelephoneEvent.digit(for: event.event) {
                    findings.check(TelephoneEvent.code(for: digit) == event.event, "digit \(digit) is not event \(event.event)")
                }
            }
            offset += 4
        }
        return findings
    }

    static func packetTrain(_ input: inout FuzzInput, _ findings: inout FuzzFindings) {
        let code = input.byte()
        let milliseconds = input.int(in: 0...10_000)
        let clockRate = input.int(in: 1...1_000_000)
        let packets = TelephoneEvent.packets(code: code, durationMilliseconds: milliseconds, clockRate: clockRate)
        let context = "\(milliseconds) ms at \(clockRate) Hz"
        guard packets.count >= 4 else {
            findings.fail("\(packets.count) packets for \(context)")
            return
        }
        findings.check(packets[0].marker && packets.dropFirst().allSatisfy { !$0.marker }, "marker not on the first packet only, \(context)")
        findings.check(packets.suffix(3).allSatisfy(\.event.isEnd) && packets.dropLast(3).allSatisfy { !$0.event.isEnd },
                       "end packets not the last three, \(context)")
        findings.check(packets.allSatisfy { $0.event.event == code }, "event code changed, \(context)")
        findings.check(zip(packets, packets.dropFirst()).allSatisfy { $0.event.duration <= $1.event.duration },
                       "durations run backwards, \(context)")
    }

    static func address(_ selector: UInt8) -> TransportAddress {
        // Two hosts, a private and a public one, with two ports each: enough to latch, move and be refused.
        let port: UInt16 = selector & 1 == 0 ? 4000 : 4002
        switch selector >> 1 & 3 {
        case 0: return TransportAddress(ipv4: 192, 168, 1, 10, port: port)
        case 1: return TransportAddress(ipv4: 198, 51, 100, 7, port: port)
        case 2: return TransportAddress(ipv4: 8, 8, 4, 4, port: port)
        default: return TransportAddress(ipv4: 0, 0, 0, 0, port: port)
        }
    }

    static func latch(_ input: inout FuzzInput, _ findings: inout FuzzFindings) {
        let first = input.byte()
        var latch = SymmetricRTPLatch(expected: first & 0x80 == 0 ? address(first) : nil,
                                      requiredPackets: Int(first >> 3 & 7),
                                      learningWindow: .milliseconds(Int(input.byte()) * 10))
        var now = MonotonicInstant.zero
        for _ in 0..<(input.int(in: 0...64)) {
            let step = input.byte()
            let ssrc = UInt32(input.byte() & 3)
            now = now + .milliseconds(Int(input.uint16()))
            let source = address(step)
            switch step >> 3 & 3 {
            case 0, 1:
                if latch.accept(from: source, ssrc: ssrc, now: now) {
                    findings.check(latch.destination == source, "accepted RTP from \(source) but sends to \(String(describing: latch.destination))")
                }
            case 2: _ = latch.acceptRTCP(from: source)
            default: latch.phoneMoved(to: step & 0x40 == 0 ? source : nil)
            }
        }
    }

    static func reporter(_ input: inout FuzzInput, _ findings: inout FuzzFindings) {
        var reporter = RTCPLegReporter(ssrc: 0x1234_5678, clockRate: input.int(in: 1...1_000_000), cname: "fuzz")
        var now = MonotonicInstant.zero
        for _ in 0..<(input.int(in: 0...64)) {
            let sequence = input.uint16()
            let timestamp = UInt32(input.uint16()) * 160
            now = now + .milliseconds(20)
            reporter.received(sequence: sequence, timestamp: timestamp, ssrc: 0xCAFE, now: now)
            reporter.sent(payloadBytes: 160, timestamp: timestamp, now: now)
        }
        let compound = Array(input.remaining.prefix(1500))
        reporter.handleRTCP(compound, now: now, ntp: 0xE000_0000_0000_0000)
        let report = reporter.report(now: now + .seconds(5), ntp: 0xE000_0005_0000_0000)
        findings.check(report.isEmpty || (try? RTCPCompound(parsing: report)) != nil, "the leg's own report does not parse")
    }
}
