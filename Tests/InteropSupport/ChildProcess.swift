import Foundation

/// Stopping what a test started, by PID: SIGTERM, up to 2 s, then SIGKILL; always reaped.
public enum ChildProcess {
    public static func terminate(_ process: Process) {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<40 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }
}
