import BridgeRTP
import Testing

@Suite struct RTPPacketTests {
    @Test func moduleLinks() {
        #expect(String(describing: BridgeRTPModule.self) == "BridgeRTPModule")
    }
}
