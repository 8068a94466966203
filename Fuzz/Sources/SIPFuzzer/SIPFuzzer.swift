import BridgeSIP
import FuzzerDriver

/// A datagram or TCP stream from a phone: SIP message parse (datagram and stream framing), every typed
/// header view, write then parse again, and the TCP framer with the input split at an input-chosen point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let message = try? SIPMessage(parsing: bytes) {
        _ = try? message.validate()
        _ = (try? message.vias(), try? message.from(), try? message.to(), try? message.callID(), try? message.cseq(),
             try? message.contacts(), try? message.routes(), try? message.recordRoutes(), try? message.contentType(),
             try? message.expires(), try? message.requestURI(), try? message.sessionDescription())
        if let written = try? message.serialized(), (try? SIPMessage(parsing: written)) == nil {
            fatalError("a message the parser accepted was written into one it refuses")
        }
    }
    var framer = SIPStreamFramer()
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    framer.append(bytes[..<cut])
    var messages = 0
    while messages < 32, let message = try? framer.nextMessage() { messages += 1; _ = message }
    framer.append(bytes[cut...])
    while messages < 64, let message = try? framer.nextMessage() { messages += 1; _ = message }
    return 0
}

@_cdecl("SIPFuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, fuzz)
}
