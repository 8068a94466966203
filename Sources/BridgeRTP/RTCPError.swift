/// Why bytes are not a valid RTCP packet or compound packet, in words that say what and where:
/// `RTCP byte 28 (packet type 205): length field says 64 bytes, 12 left`. Built without allocating; the words
/// are made only when `description` is read.
public struct RTCPError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable {
        case empty
        case shorterThanHeader(left: Int)
        case version(UInt8)
        case length(bytes: Int, left: Int)
        case zeroPadding
        case padding(count: Int, left: Int)
        case body(needed: Int, available: Int, what: Part)
        case wrongType(expected: Part)
        case sdesItem(left: Int)
        case sdesTerminator
        case byeReason(length: Int, left: Int)
        case rembIdentifier
        case twccChunks(covered: Int, expected: Int)
        case twccDeltas(needed: Int, left: Int)
        case twccReservedSymbol
    }

    /// The part of a packet a size problem is about.
    enum Part: String, Sendable, Hashable {
        case senderInfo = "sender info"
        case receiverReport = "receiver report"
        case reportBlocks = "report blocks"
        case sdesChunk = "SDES chunk"
        case byeSources = "BYE source list"
        case feedback = "feedback header"
        case nack = "generic NACK"
        case pli = "PLI"
        case fir = "FIR"
        case remb = "REMB"
        case transportFeedback = "transport-cc feedback"
        case senderReport = "sender report"
        case sourceDescription = "source description"
        case goodbye = "BYE"
    }

    let code: Code
    /// Offset in the datagram where the problem was found.
    public let offset: Int
    /// The RTCP packet type (200 SR, 205 RTPFB, …) of the packet at fault, when its header was read.
    public let packetType: UInt8?

    init(_ code: Code, at offset: Int, packetType: UInt8? = nil) {
        self.code = code
        self.offset = offset
        self.packetType = packetType
    }

    public var description: String {
        let what: String = switch code {
        case .empty: "empty datagram"
        case .shorterThanHeader(let left): "\(left) bytes left, shorter than the 4-byte header"
        case .version(let version): "version \(version), expected 2"
        case .length(let bytes, let left): "length field says \(bytes) bytes, \(left) left"
        case .zeroPadding: "padding bit set with a padding count of 0"
        case .padding(let count, let left): "padding count \(count) exceeds the \(left) bytes after the header"
        case .body(let needed, let available, let what): "\(what.rawValue) needs \(needed) bytes, packet has \(available)"
        case .wrongType(let expected): "not a \(expected.rawValue) packet"
        case .sdesItem(let left): "SDES item runs past the chunk (\(left) bytes left)"
        case .sdesTerminator: "SDES chunk without its terminating null octet"
        case .byeReason(let length, let left): "BYE reason of \(length) bytes, \(left) left"
        case .rembIdentifier: "application feedback without the REMB identifier"
        case .twccChunks(let covered, let expected): "status chunks cover \(covered) of \(expected) packets"
        case .twccDeltas(let needed, let left): "receive deltas need \(needed) bytes, \(left) left"
        case .twccReservedSymbol: "reserved packet status symbol 3"
        }
        let type = packetType.map { " (packet type \($0))" } ?? ""
        return "RTCP byte \(offset)\(type): \(what)"
    }
}
