#include "CSRTPBaseline.h"

#include <srtp2/srtp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mb_baseline {
    srtp_t session;
    uint16_t sequence;
    // Room for the longest tag (GCM: 16 bytes).
    uint8_t packet[MB_BASELINE_PACKET_LENGTH + 16];
};

mb_baseline *mb_baseline_create(int profile) {
    // libsrtp must be initialised once per process, and srtp_init is not idempotent on this build (a second
    // call returns srtp_err_status_bad_param). SRTPContext may have done it already, so the result is not
    // checked here: when nobody has, srtp_create fails below.
    static int initialised = 0;
    if (!initialised) {
        (void)srtp_init();
        initialised = 1;
    }
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    size_t salt_length;
    switch (profile) {
    case MB_BASELINE_PROFILE_AEAD_AES_128_GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        salt_length = 12;
        break;
    case MB_BASELINE_PROFILE_AES_CM_128_HMAC_SHA1_80:
        srtp_crypto_policy_set_rtp_default(&policy.rtp);
        srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
        salt_length = 14;
        break;
    default:
        return NULL;
    }
    // Same policy as SRTPContext(direction: .outbound).
    policy.ssrc.type = ssrc_any_outbound;
    policy.window_size = 1024;
    policy.allow_repeat_tx = 1;
    uint8_t key[16 + 14];
    for (size_t i = 0; i < 16 + salt_length; i++) key[i] = (uint8_t)(0x10 + i);
    policy.key = key;

    mb_baseline *baseline = calloc(1, sizeof *baseline);
    if (baseline == NULL) return NULL;
    if (srtp_create(&baseline->session, &policy) != srtp_err_status_ok) {
        free(baseline);
        return NULL;
    }
    uint8_t *p = baseline->packet;
    p[0] = 0x80; p[1] = 96;                                // V=2, PT 96
    p[4] = 0; p[5] = 0; p[6] = 0x10; p[7] = 0;             // timestamp
    p[8] = 0xCA; p[9] = 0xFE; p[10] = 0xBA; p[11] = 0xBE;  // SSRC
    memset(p + 12, 0x42, 1200);
    return baseline;
}

int mb_baseline_protect(mb_baseline *baseline, int iterations) {
    uint8_t *p = baseline->packet;
    for (int i = 0; i < iterations; i++) {
        baseline->sequence++;
        p[2] = (uint8_t)(baseline->sequence >> 8);
        p[3] = (uint8_t)(baseline->sequence & 0xFF);
        int length = MB_BASELINE_PACKET_LENGTH;
        srtp_err_status_t status = srtp_protect(baseline->session, p, &length);
        if (status != srtp_err_status_ok) return (int)status;
    }
    return 0;
}

void mb_baseline_destroy(mb_baseline *baseline) {
    if (baseline == NULL) return;
    srtp_dealloc(baseline->session);
    free(baseline);
}

double mb_baseline_protect_loop(int profile, int iterations) {
    mb_baseline *baseline = mb_baseline_create(profile);
    if (baseline == NULL || iterations <= 0) {
        mb_baseline_destroy(baseline);
        return -1;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = mb_baseline_protect(baseline, iterations);
    clock_gettime(CLOCK_MONOTONIC, &end);
    mb_baseline_destroy(baseline);
    if (status != 0) return -(double)status;
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    return (double)iterations / seconds;
}
