import BridgeCore
import Testing

@Suite struct URLRedactionTests {
    @Test(arguments: [
        ("rtsp://admin:secret@10.0.0.5:554/Streaming/101", "rtsp://admin:***@10.0.0.5:554/Streaming/101"),
        ("rtsps://u:p%40ss@cam.local/live", "rtsps://u:***@cam.local/live"),
        ("rtsp://user@cam/live", "rtsp://user@cam/live"),
        ("rtsp://cam/live?user=a@b", "rtsp://cam/live?user=a@b"),
        ("rtsp://a:b:c@cam", "rtsp://a:***@cam"),
        ("rtsp://a:b@c@cam/x", "rtsp://a:***@cam/x"),
        ("file:samples/demo.mp4", "file:samples/demo.mp4"),
        ("", ""),
        ("://:@", "://:***@"),
    ])
    func redactsOnlyThePassword(input: String, expected: String) {
        #expect(URLRedaction.redactingPassword(in: input) == expected)
    }

    @Test func redactedNeverPrintsItsValue() {
        let secret = Redacted("hunter2")
        #expect("\(secret)" == "***")
        #expect(String(reflecting: secret) == "Redacted(***)")
        #expect(secret.revealed == "hunter2")
    }
}
