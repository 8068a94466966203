import BridgeSIP

/// A datagram or TCP stream from a phone: SIP message parse (datagram and stream framing), every typed
/// header view, write then parse again, and the TCP framer with the input split at an input-chosen point.
public enum SIPFuzzEntry {
    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        if let message = try? SIPMessage(parsing: bytes) {
            _ = try? message.validate()
            _ = (try? message.vias(), try? message.from(), try? message.to(), try? message.callID(), try? message.cseq(),
                 try? message.contacts(), try? message.routes(), try? message.recordRoutes(), try? message.contentType(),
                 try? message.expires(), try? message.requestURI(), try? message.sessionDescription())
            if let written = try? message.serialized() {
                findings.check((try? SIPMessage(parsing: written)) != nil,
                               "a message the parser accepted was written into one it refuses")
            }
        }
        var framer = SIPStreamFramer()
        FuzzInput.feedInTwoPieces(bytes, limit: 32, append: { framer.append($0) }, next: { (try? framer.nextMessage()) != nil })
        return findings
    }
}
