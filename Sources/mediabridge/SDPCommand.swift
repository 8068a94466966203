import ArgumentParser
import BridgeSDP
import Foundation

/// `mediabridge sdp …`: the SDP translator on files, for debugging interop without a running gateway.
/// Descriptions go to stdout, the per-track decisions to stderr. ICE and DTLS values are placeholders.
struct SDPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdp",
        abstract: "Translate session descriptions the way the gateway does.",
        subcommands: [Answer.self, ToWebRTC.self, ToSIP.self])

    struct Transport: ParsableArguments {
        @Option(name: .customLong("host"), help: "Address advertised as host candidate (repeat for more).")
        var hosts: [String] = ["127.0.0.1"]
        @Option(help: "WebRTC UDP port.") var udpPort = 8189
        @Option(help: "ICE-TCP port (0: none).") var tcpPort = 8189

        var parameters: WebRTCTransportParameters {
            .placeholder(addresses: hosts, udpPort: udpPort, tcpPort: tcpPort)
        }
    }

    struct SIPLeg: ParsableArguments {
        @Option(help: "Address phones send RTP to.") var rtpAddress = "127.0.0.1"
        @Option(help: "First RTP port of the phone leg.") var rtpPort = 20000

        var parameters: SIPLegParameters {
            SIPLegParameters(address: rtpAddress, ports: [rtpPort, rtpPort + 2, rtpPort + 4, rtpPort + 6],
                             sdesKey: "UExBQ0VIT0xERVJQTEFDRUhPTERFUlBMQUNFSE9M")
        }
    }

    struct Answer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a browser's WHEP offer with a camera's or file's tracks.")
        @Option(help: "The source's SDP (RTSP DESCRIBE body).") var source: String
        @Option(help: "The browser's offer.") var offer: String
        @OptionGroup var transport: Transport

        func run() throws {
            let answer = try SDPFiles.attempt { () throws(SDPError) -> WHEPAnswerBuilder.Answer in
                try WHEPAnswerBuilder(transport: transport.parameters)
                    .answer(source: try SDPFiles.read(source), offer: try SDPFiles.read(offer))
            }
            SDPFiles.report(answer.description, tracks: answer.tracks)
        }
    }

    struct ToWebRTC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "to-webrtc",
            abstract: "A phone's offer as a browser offer; with --webrtc-offer, a phone's answer as the browser's answer.")
        @Argument(help: "The phone's SDP (offer, or answer with --webrtc-offer).") var sip: String
        @Option(help: "The browser's offer the phone answered (browser-initiated calls).") var webrtcOffer: String?
        @OptionGroup var transport: Transport
        @OptionGroup var sipLeg: SIPLeg

        func run() throws {
            var translator = SIPMediaTranslator(transport: transport.parameters, sipLeg: sipLeg.parameters)
            let result = try SDPFiles.attempt { () throws(SDPError) -> (SessionDescription, [TrackPlan]) in
                let sip = try SDPFiles.read(self.sip)
                guard let webrtcOffer else { return (try translator.webRTCOffer(fromSIPOffer: sip), []) }
                let offer = try SDPFiles.read(webrtcOffer)
                _ = try translator.sipOffer(fromWebRTCOffer: offer)
                let answer = try translator.webRTCAnswer(fromSIPAnswer: sip, webRTCOffer: offer)
                return (answer.description, answer.tracks)
            }
            SDPFiles.report(result.0, tracks: result.1)
        }
    }

    struct ToSIP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "to-sip",
            abstract: "A browser's offer as a SIP offer; with --sip-offer, a browser's answer as the SIP answer.")
        @Argument(help: "The browser's SDP (offer, or answer with --sip-offer).") var webrtc: String
        @Option(help: "The phone's offer the browser answered (phone-initiated calls).") var sipOffer: String?
        @OptionGroup var transport: Transport
        @OptionGroup var sipLeg: SIPLeg

        func run() throws {
            var translator = SIPMediaTranslator(transport: transport.parameters, sipLeg: sipLeg.parameters)
            let result = try SDPFiles.attempt { () throws(SDPError) -> (SessionDescription, [TrackPlan]) in
                let webrtc = try SDPFiles.read(self.webrtc)
                guard let sipOffer else { return (try translator.sipOffer(fromWebRTCOffer: webrtc), []) }
                let offer = try SDPFiles.read(sipOffer)
                _ = try translator.webRTCOffer(fromSIPOffer: offer)
                let answer = try translator.sipAnswer(fromWebRTCAnswer: webrtc, sipOffer: offer)
                return (answer.description, answer.tracks)
            }
            SDPFiles.report(result.0, tracks: result.1)
        }
    }
}

/// File reading and reporting shared by the `sdp` subcommands.
enum SDPFiles {
    static func read(_ path: String) throws(SDPError) -> SessionDescription {
        guard let data = FileManager.default.contents(atPath: path) else {
            printToStandardError("\(path): cannot read file")
            Foundation.exit(2)
        }
        do {
            return try SessionDescription(parsing: [UInt8](data))
        } catch {
            printToStandardError("\(path): \(error)")
            Foundation.exit(1)
        }
    }

    /// Runs a translation; an SDP the gateway cannot serve prints why and exits 1.
    static func attempt<T>(_ body: () throws(SDPError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            printToStandardError(error.description)
            throw ExitCode(1)
        }
    }

    static func report(_ description: SessionDescription, tracks: [TrackPlan]) {
        print(description.write(), terminator: "")
        for track in tracks { printToStandardError(track.description) }
    }
}
