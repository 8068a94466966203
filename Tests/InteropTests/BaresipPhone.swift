import Foundation
import InteropSupport

/// Debian's baresip as a SIP phone for call tests: a 440 Hz tone as its microphone (ausine), what it
/// hears recorded to a WAV file (sndfile), G.711/G.722/Opus. Started and stopped by PID; every wait bounded.
final class BaresipPhone {
    let directory: URL
    let sipPort: Int
    let process = Process()
    private let output = Pipe()
    private var text = ""

    /// `account` is baresip's accounts line, e.g. `<sip:alice@127.0.0.1>;regint=0`, or with
    /// `;answermode=auto` to answer calls by itself.
    init(sipPort: Int, account: String, commands: [String] = [], seconds: Int = 20) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/baresip") else {
            throw PeerProcess.MissingTool(description: "/usr/bin/baresip is missing: `make deps` installs baresip-core")
        }
        self.sipPort = sipPort
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mb-baresip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("snd"), withIntermediateDirectories: true)
        let config = """
            poll_method epoll
            sip_listen 127.0.0.1:\(sipPort)
            call_local_timeout 120
            audio_player aufile,\(directory.path)/play.wav
            audio_source ausine,440
            audio_alert aufile,\(directory.path)/alert.wav
            ausrc_format s16
            ausrc_srate 48000
            ausrc_channels 2
            auplay_srate 48000
            auplay_channels 2
            auplay_format s16
            auenc_format s16
            audec_format s16
            rtp_ports 21000-21999
            net_interface 127.0.0.1
            module_path /usr/lib/baresip/modules
            module g711.so
            module g722.so
            module opus.so
            module ausine.so
            module aufile.so
            module sndfile.so
            module srtp.so
            snd_path \(directory.path)/snd
            module_tmp uuid.so
            module_tmp account.so
            module_app menu.so

            """
        try config.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try (account + "\n").write(to: directory.appendingPathComponent("accounts"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/baresip")
        process.arguments = ["-f", directory.path, "-t", String(seconds)] + commands.flatMap { ["-e", $0] }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Starts baresip on a free SIP port (`account` gets the port), and again on another port if it quits at
    /// once (the port was taken between the probe and baresip's bind, with other tests running alongside).
    static func launch(account: (Int) -> String, commands: [String] = [], seconds: Int = 20) throws -> BaresipPhone {
        var lastLog = ""
        for _ in 0..<3 {
            let port = try PeerProcess.freeUDPPort()
            let phone = try BaresipPhone(sipPort: port, account: account(port), commands: commands, seconds: seconds)
            if phone.wait(for: "baresip is ready", timeout: .seconds(10)) { return phone }
            lastLog = phone.log
            phone.stop()
        }
        throw PeerProcess.MissingTool(description: "baresip did not start three times: \(lastLog.suffix(1500))")
    }

    /// Waits until baresip's output contains `marker` (bounded); returns whether it did.
    func wait(for marker: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        let descriptor = output.fileHandleForReading.fileDescriptor
        while !text.contains(marker), ContinuousClock.now < deadline {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(descriptor, &chunk, chunk.count)
            if count <= 0 { break }
            text += String(decoding: chunk[..<count], as: UTF8.self)
        }
        return text.contains(marker)
    }

    var log: String { text }

    /// RMS of the loudest second of what baresip heard (the decoded audio it recorded, 16-bit samples).
    func receivedLevel() -> Double {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("snd").path)) ?? []
        guard let name = files.first(where: { $0.hasSuffix("-dec.wav") }),
              let data = FileManager.default.contents(atPath: directory.appendingPathComponent("snd/\(name)").path), data.count > 44
        else { return 0 }
        let samples = data.dropFirst(44).withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        guard !samples.isEmpty else { return 0 }
        // The loudest second (sample rate and channels from the WAV header): silence before the call's audio
        // starts, longer on a busy machine, must not dilute the level.
        let header = [UInt8](data.prefix(44))
        let rate = Int(header[24]) | Int(header[25]) << 8 | Int(header[26]) << 16 | Int(header[27]) << 24
        let channels = max(Int(header[22]) | Int(header[23]) << 8, 1)
        let window = min(max(rate * channels, 800), samples.count)
        return stride(from: 0, to: samples.count - window + 1, by: max(window / 4, 1)).map { start in
            (samples[start..<(start + window)].reduce(0.0) { $0 + Double($1) * Double($1) } / Double(window)).squareRoot()
        }.max() ?? 0
    }

    func stop() {
        ChildProcess.terminate(process)
        _ = wait(for: "\u{0}never", timeout: .milliseconds(100))
    }
}
