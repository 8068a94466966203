import BridgeCore
import Synchronization

/// Which shard owns a session, shared by every shard of the WebRTC port.
///
/// A session's owner follows from its ufrag (the gateway makes the ufrag, so no table is needed for STUN
/// checks, which carry it); after ICE, its selected address is recorded here, so that a DTLS or SRTP
/// datagram the kernel hands to another shard's socket finds its owner. The table is read only for such
/// mis-steered datagrams and written once per session, so its lock is never on the per-packet path.
final class SessionDirectory: Sendable {
    let shardCount: Int
    private let owners = Mutex<[TransportAddress: Int]>([:])
    /// Selected addresses recorded at most; a session records one (two after an ICE move).
    static let capacity = 1 << 16

    init(shardCount: Int) {
        self.shardCount = max(1, shardCount)
    }

    /// The shard that owns the session with this (gateway-made) ufrag: FNV-1a over its bytes.
    func owner(ofUfrag ufrag: some StringProtocol) -> Int {
        guard shardCount > 1 else { return 0 }
        var hash: UInt32 = 2_166_136_261
        for byte in ufrag.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(shardCount))
    }

    /// The shard whose session selected this remote address, if any.
    func owner(of address: TransportAddress) -> Int? {
        guard shardCount > 1 else { return nil }
        return owners.withLock { $0[address] }
    }

    func record(_ address: TransportAddress, owner: Int) {
        guard shardCount > 1 else { return }
        owners.withLock { table in
            if table.count < Self.capacity || table[address] != nil { table[address] = owner }
        }
    }

    func forget(_ addresses: some Sequence<TransportAddress>, owner: Int) {
        guard shardCount > 1 else { return }
        owners.withLock { table in
            for address in addresses where table[address] == owner { table.removeValue(forKey: address) }
        }
    }

    var recordedAddresses: Int { owners.withLock { $0.count } }
}
