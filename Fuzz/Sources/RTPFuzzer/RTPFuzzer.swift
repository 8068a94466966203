import BridgeCore
import BridgeRTP
import FuzzerDriver

/// The same bytes as RTP and as RTCP, through the allocation-free entry points the data path uses:
/// parse, read every element and list, rewrite the header in place, parse again. A trap, a sanitizer
/// report, a read outside the datagram or a rewrite that moves the payload is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    bytes.withUnsafeBytes { _ = PacketClass.classify($0) }
    fuzzRTP(&bytes)
    fuzzRTCP(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

func fuzzRTP(_ bytes: inout [UInt8]) {
    guard let packet = try? RTPPacket(parsing: bytes) else { return }
    check(packet.byteCount == bytes.count, "RTP layout does not cover the datagram")
    bytes.withUnsafeBytes { buffer in
        _ = readAll(packet.csrcs, in: buffer)
        packet.forEachExtensionElement(in: buffer) { element in
            check(packet.extensionRange.contains(element.range.lowerBound) || element.range.isEmpty,
                  "extension element outside the extension")
            check(element.range.upperBound <= packet.extensionRange.upperBound, "extension element past the extension")
            _ = packet.extensionElement(id: element.id, in: buffer)
        }
    }

    var written: [UInt8] = []
    packet.write(from: bytes, into: &written)
    check((try? RTPPacket(parsing: written)) == packet, "written packet parses differently")

    let rewrite = RTPHeaderRewrite(ssrc: SSRC(packet.header.ssrc.rawValue ^ 0xFFFF_FFFF),
                                   sequenceNumber: packet.header.sequenceNumber.next,
                                   timestamp: packet.header.timestamp.advanced(by: 3000),
                                   payloadType: PayloadType(rawValue: 127 - packet.header.payloadType.rawValue),
                                   marker: !packet.header.marker)
    do {
        try rewrite.apply(to: &bytes)
    } catch {
        fatalError("rewrite of a parsed packet failed: \(error)")
    }
    guard let again = try? RTPPacket(parsing: bytes) else { fatalError("rewritten packet does not parse") }
    check(again.payloadRange == packet.payloadRange && again.extensionRange == packet.extensionRange,
          "rewrite moved the payload")
    check(again.header.ssrc == rewrite.ssrc && again.header.sequenceNumber == rewrite.sequenceNumber
          && again.header.timestamp == rewrite.timestamp && again.header.payloadType == rewrite.payloadType
          && again.header.marker == rewrite.marker, "rewrite lost a field")
}

func fuzzRTCP(_ bytes: [UInt8]) {
    guard let compound = try? RTCPCompound(parsing: bytes) else { return }
    bytes.withUnsafeBytes { buffer in
        var seen = 0
        compound.forEachPacket(in: buffer) { view in
            seen += 1
            check(view.range.upperBound <= buffer.count && view.bodyRange.upperBound <= view.range.upperBound,
                  "RTCP packet outside the datagram")
            guard let packet = try? RTCPPacket(parsing: buffer, view: view) else { return }
            inspect(packet, in: buffer, bytes: bytes)
        }
        check(seen == compound.packetCount, "iteration saw \(seen) of \(compound.packetCount) packets")
    }
}

/// Reads every list through the allocation-free accessors, and writes back what has a writer.
func inspect(_ packet: RTCPPacket, in buffer: UnsafeRawBufferPointer, bytes: [UInt8]) {
    switch packet {
    case .senderReport(let report):
        let blocks = readAll(report.reportBlocks, in: buffer)
        var written: [UInt8] = []
        report.write(reportBlocks: blocks, into: &written)
        let again = try? RTCPSenderReport(parsing: written)
        check(again?.ntpTimestamp == report.ntpTimestamp && again?.reportBlocks.elements(in: written) == blocks,
              "SR changed through write")
    case .receiverReport(let report): _ = readAll(report.reportBlocks, in: buffer)
    case .sourceDescription(let description):
        description.forEachItem(in: buffer) { check($0.range.upperBound <= buffer.count, "SDES item outside") }
    case .goodbye(let bye): _ = (readAll(bye.sources, in: buffer), bye.reason(in: bytes))
    case .genericNACK(let nack):
        var lost = 0
        nack.forEachLostPacket(in: buffer) { _ in lost += 1 }
        check(lost >= nack.items.count, "NACK items lost")
    case .transportFeedback(let feedback):
        var count = 0
        feedback.forEachPacketStatus(in: buffer) { _ in count += 1 }
        check(count == feedback.packetStatusCount, "transport-cc gave \(count) of \(feedback.packetStatusCount)")
    case .fullIntraRequest(let fir): _ = readAll(fir.entries, in: buffer)
    case .receiverEstimatedMaximumBitrate(let remb): _ = readAll(remb.ssrcs, in: buffer)
    case .pictureLossIndication, .other: break
    }
}

/// Every element of a list the parser accepted must be readable.
func readAll<Element>(_ list: WireList<Element>, in buffer: UnsafeRawBufferPointer) -> [Element] {
    var elements: [Element] = []
    list.forEach(in: buffer) { elements.append($0) }
    check(elements.count == list.count, "read \(elements.count) of \(list.count) list elements")
    return elements
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

@_cdecl("RTPFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzz)
}
