import BridgeCore
import BridgeRTP

/// The same bytes as RTP and as RTCP, through the allocation-free entry points the data path uses:
/// parse, read every element and list, rewrite the header in place, parse again. A read outside the
/// datagram or a rewrite that moves the payload is a finding.
public enum RTPFuzzEntry {
    public static func run(_ input: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        var bytes = input
        bytes.withUnsafeBytes { _ = PacketClass.classify($0) }
        rtp(&bytes, &findings)
        rtcp(input, &findings)
        return findings
    }

    static func rtp(_ bytes: inout [UInt8], _ findings: inout FuzzFindings) {
        guard let packet = try? RTPPacket(parsing: bytes) else { return }
        findings.check(packet.byteCount == bytes.count, "RTP layout does not cover the datagram")
        bytes.withUnsafeBytes { buffer in
            _ = readAll(packet.csrcs, in: buffer, &findings)
            packet.forEachExtensionElement(in: buffer) { element in
                findings.check(packet.extensionRange.contains(element.range.lowerBound) || element.range.isEmpty,
                               "extension element outside the extension")
                findings.check(element.range.upperBound <= packet.extensionRange.upperBound,
                               "extension element past the extension")
                _ = packet.extensionElement(id: element.id, in: buffer)
            }
        }

        var written: [UInt8] = []
        packet.write(from: bytes, into: &written)
        findings.check((try? RTPPacket(parsing: written)) == packet, "written packet parses differently")

        let rewrite = RTPHeaderRewrite(ssrc: SSRC(packet.header.ssrc.rawValue ^ 0xFFFF_FFFF),
                                       sequenceNumber: packet.header.sequenceNumber.next,
                                       timestamp: packet.header.timestamp.advanced(by: 3000),
                                       payloadType: PayloadType(rawValue: 127 - packet.header.payloadType.rawValue),
                                       marker: !packet.header.marker)
        do {
            try rewrite.apply(to: &bytes)
        } catch {
            findings.fail("rewrite of a parsed packet failed: \(error)")
            return
        }
        guard let again = try? RTPPacket(parsing: bytes) else {
            findings.fail("rewritten packet does not parse")
            return
        }
        findings.check(again.payloadRange == packet.payloadRange && again.extensionRange == packet.extensionRange,
                       "rewrite moved the payload")
        findings.check(again.header.ssrc == rewrite.ssrc && again.header.sequenceNumber == rewrite.sequenceNumber
                       && again.header.timestamp == rewrite.timestamp && again.header.payloadType == rewrite.payloadType
                       && again.header.marker == rewrite.marker, "rewrite lost a field")
    }

    static func rtcp(_ bytes: [UInt8], _ findings: inout FuzzFindings) {
        guard let compound = try? RTCPCompound(parsing: bytes) else { return }
        bytes.withUnsafeBytes { buffer in
            var seen = 0
            compound.forEachPacket(in: buffer) { view in
                seen += 1
                findings.check(view.range.upperBound <= buffer.count && view.bodyRange.upperBound <= view.range.upperBound,
                               "RTCP packet outside the datagram")
                guard let packet = try? RTCPPacket(parsing: buffer, view: view) else { return }
                inspect(packet, in: buffer, bytes: bytes, &findings)
            }
            findings.check(seen == compound.packetCount, "iteration saw \(seen) of \(compound.packetCount) packets")
        }
    }

    /// Reads every list through the allocation-free accessors, and writes back what has a writer.
    static func inspect(_ packet: RTCPPacket, in buffer: UnsafeRawBufferPointer, bytes: [UInt8],
                        _ findings: inout FuzzFindings) {
        switch packet {
        case .senderReport(let report):
            let blocks = readAll(report.reportBlocks, in: buffer, &findings)
            var written: [UInt8] = []
            report.write(reportBlocks: blocks, into: &written)
            let again = try? RTCPSenderReport(parsing: written)
            findings.check(again?.ntpTimestamp == report.ntpTimestamp && again?.reportBlocks.elements(in: written) == blocks,
                           "SR changed through write")
        case .receiverReport(let report): _ = readAll(report.reportBlocks, in: buffer, &findings)
        case .sourceDescription(let description):
            description.forEachItem(in: buffer) { findings.check($0.range.upperBound <= buffer.count, "SDES item outside") }
        case .goodbye(let bye): _ = (readAll(bye.sources, in: buffer, &findings), bye.reason(in: bytes))
        case .genericNACK(let nack):
            var lost = 0
            nack.forEachLostPacket(in: buffer) { _ in lost += 1 }
            findings.check(lost >= nack.items.count, "NACK items lost")
        case .transportFeedback(let feedback):
            var count = 0
            feedback.forEachPacketStatus(in: buffer) { _ in count += 1 }
            findings.check(count == feedback.packetStatusCount,
                           "transport-cc gave \(count) of \(feedback.packetStatusCount)")
        case .fullIntraRequest(let fir): _ = readAll(fir.entries, in: buffer, &findings)
        case .receiverEstimatedMaximumBitrate(let remb): _ = readAll(remb.ssrcs, in: buffer, &findings)
        case .pictureLossIndication, .other: break
        }
    }

    /// Every element of a list the parser accepted must be readable.
    static func readAll<Element>(_ list: WireList<Element>, in buffer: UnsafeRawBufferPointer,
                                 _ findings: inout FuzzFindings) -> [Element] {
        var elements: [Element] = []
        list.forEach(in: buffer) { elements.append($0) }
        findings.check(elements.count == list.count, "read \(elements.count) of \(list.count) list elements")
        return elements
    }
}
