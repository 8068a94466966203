// Raw libsrtp2 baseline for TransportBenchmarks: the same protect loop as the Swift benchmark
// (1200-byte payload behind a 12-byte RTP header, in place, one reused buffer, fresh sequence number
// per packet), with the same policy SRTPContext uses, called straight from C.
#pragma once

#define MB_BASELINE_PROFILE_AEAD_AES_128_GCM 7
#define MB_BASELINE_PROFILE_AES_CM_128_HMAC_SHA1_80 1

/// RTP header plus payload protected per packet (bytes).
#define MB_BASELINE_PACKET_LENGTH (12 + 1200)

typedef struct mb_baseline mb_baseline;

/// One outbound srtp session with its own packet buffer; NULL on failure. `profile` is one of the
/// MB_BASELINE_PROFILE_* values (the DTLS-SRTP profile numbers).
mb_baseline *mb_baseline_create(int profile);

/// Protects the session's packet `iterations` times; 0 on success, else the first failing srtp_err_status_t.
int mb_baseline_protect(mb_baseline *baseline, int iterations);

void mb_baseline_destroy(mb_baseline *baseline);

/// Self-contained and self-timed (CLOCK_MONOTONIC around the loop only): creates a session, protects
/// `iterations` packets, destroys it. Returns packets per second, or a negative value on failure.
double mb_baseline_protect_loop(int profile, int iterations);
