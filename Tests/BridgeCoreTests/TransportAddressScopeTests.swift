import BridgeCore
import Testing

/// Address scopes for the symmetric RTP latch: which SDP addresses say where a phone really is.
@Suite struct TransportAddressScopeTests {
    @Test func publicPrivateAndUnspecified() throws {
        let publicHosts = ["192.0.2.10", "8.8.8.8", "100.63.0.1", "172.32.0.1", "2001:db8::1", "::ffff:198.51.100.7"]
        let otherHosts = ["0.0.0.0", "::", "10.1.2.3", "172.16.0.1", "192.168.1.20", "100.64.0.1", "127.0.0.1", "169.254.1.1",
                          "224.0.0.1", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1"]
        for host in publicHosts { #expect(try #require(TransportAddress(host, port: 1)).isPublic, "\(host)") }
        for host in otherHosts { #expect(try !#require(TransportAddress(host, port: 1)).isPublic, "\(host)") }
        let mapped = try #require(TransportAddress("::ffff:192.0.2.10", port: 9))
        #expect(mapped.hasSameIP(as: TransportAddress(ipv4: 192, 0, 2, 10, port: 4000)))
        #expect(!TransportAddress(ipv4: 198, 51, 100, 7, port: 9).hasSameIP(as: mapped))
        #expect(try #require(TransportAddress("::", port: 4000)).isUnspecified)
    }
}
