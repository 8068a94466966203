import ArgumentParser
import BridgeGateway

@main
struct MediaBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediabridge",
        abstract: "Serve RTSP cameras and SIP phones to browsers over WebRTC.",
        version: MediaBridgeVersion.current,
        subcommands: [RunCommand.self, CheckConfigCommand.self, ProbeCommand.self, SDPCommand.self],
        defaultSubcommand: RunCommand.self)
}
