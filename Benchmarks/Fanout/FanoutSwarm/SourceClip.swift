import Foundation
import SwarmSupport

/// The benchmark's source: a ~4 Mbit/s H.264 baseline clip (1280x720, 25 fps, 20 s, no audio, a key frame
/// every 2 s, no B-frames) made with ffmpeg/x264 at bench time. Test-pattern video with temporal noise, so
/// that x264 really spends the bit rate instead of undershooting on a static picture.
enum SourceClip {
    static let seconds = 20

    /// Writes `bench.mp4` into `directory` and returns its path and measured bit rate (bit/s).
    static func make(in directory: String, ffmpeg: String = "ffmpeg", timeout: Duration = .seconds(300)) throws -> (path: String, bitRate: Double) {
        let path = directory + "/bench.mp4"
        let arguments = [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25,noise=alls=14:allf=t",
            "-t", "\(seconds)", "-an",
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline", "-pix_fmt", "yuv420p",
            "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M", "-g", "50", "-bf", "0",
            path,
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [ffmpeg] + arguments
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SwarmError("cannot start ffmpeg (is it installed? `make deps`): \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(100_000) }
        if process.isRunning {
            process.terminate()
            for _ in 0..<30 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw SwarmError("ffmpeg did not finish within \(timeout)")
        }
        guard process.terminationStatus == 0 else { throw SwarmError("ffmpeg failed with status \(process.terminationStatus)") }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.doubleValue ?? 0
        guard size > 0 else { throw SwarmError("ffmpeg wrote no \(path)") }
        return (path, size * 8 / Double(seconds))
    }
}
