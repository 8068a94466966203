// Functions for the C macros Swift cannot import (OpenSSL, libsrtp2, FFmpeg).
// Each is a one-line wrapper; nothing here keeps state.
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <openssl/ssl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <srtp2/srtp.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>

// MARK: OpenSSL

/// HMAC-SHA1 (RFC 2104) with the key's two padded blocks hashed once, for STUN MESSAGE-INTEGRITY: each
/// message then costs two copies of a SHA-1 state on the stack and no allocation (swift-crypto's HMAC
/// allocates its digest contexts on every use). `key` is the only state; it is never changed after init.
typedef struct { SHA_CTX inner; SHA_CTX outer; } mb_hmac_sha1_key;
void mb_hmac_sha1_key_init(mb_hmac_sha1_key *key, const uint8_t *secret, size_t length);
/// The MAC of `first` followed by `second` (a STUN header with its length patched, then the rest).
void mb_hmac_sha1(const mb_hmac_sha1_key *key, const void *first, size_t first_length,
                  const void *second, size_t second_length, uint8_t digest[20]);


/// Options the DTLS context sets: no compression, no tickets, a fresh ECDH key per handshake, no TLS 1.3 in DTLS.
static inline uint64_t mb_ssl_op_dtls_defaults(void) {
    return SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET | SSL_OP_SINGLE_ECDH_USE | SSL_OP_NO_QUERY_MTU
        | SSL_OP_CIPHER_SERVER_PREFERENCE;
}
static inline uint64_t mb_ssl_op_no_query_mtu(void) { return SSL_OP_NO_QUERY_MTU; }
static inline uint64_t mb_ssl_op_no_ticket(void) { return SSL_OP_NO_TICKET; }
static inline long mb_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long mb_ssl_ctx_set_read_ahead(SSL_CTX *ctx, int yes) { return SSL_CTX_set_read_ahead(ctx, yes); }
static inline int mb_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int mb_dtls1_2_version(void) { return DTLS1_2_VERSION; }
static inline int mb_ssl_ctx_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}
static inline long mb_dtls_set_link_mtu(SSL *ssl, long mtu) { return DTLS_set_link_mtu(ssl, mtu); }
static inline long mb_ssl_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }
/// Next DTLS retransmission deadline, in microseconds from now; -1 when no timer runs.
static inline int64_t mb_dtls_get_timeout_us(SSL *ssl) {
    struct timeval tv;
    if (DTLSv1_get_timeout(ssl, &tv) != 1) return -1;
    return (int64_t)tv.tv_sec * 1000000 + (int64_t)tv.tv_usec;
}
static inline long mb_dtls_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }
static inline long mb_bio_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
static inline long mb_bio_set_mem_eof_return(BIO *bio, int value) { return BIO_set_mem_eof_return(bio, value); }
static inline int mb_bio_reset(BIO *bio) { return (int)BIO_reset(bio); }
static inline void mb_openssl_free(void *p) { OPENSSL_free(p); }
static inline EVP_PKEY *mb_evp_ec_gen(const char *curve) { return EVP_EC_gen(curve); }

// MARK: libsrtp2

static inline void mb_srtp_policy_aes_cm_128_hmac_sha1_80(srtp_crypto_policy_t *p) {
    srtp_crypto_policy_set_rtp_default(p);
}
static inline void mb_srtcp_policy_aes_cm_128_hmac_sha1_80(srtp_crypto_policy_t *p) {
    srtp_crypto_policy_set_rtcp_default(p);
}

// MARK: FFmpeg

static inline int mb_averror(int posix_errno) { return AVERROR(posix_errno); }
static inline int mb_averror_eof(void) { return AVERROR_EOF; }
static inline int mb_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t mb_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational mb_av_time_base_q(void) { AVRational q = { 1, AV_TIME_BASE }; return q; }
/// Writes FFmpeg's message for `errnum` into `buf` (at least AV_ERROR_MAX_STRING_SIZE bytes).
static inline const char *mb_av_err2str(int errnum, char *buf, size_t size) {
    return av_make_error_string(buf, size, errnum);
}
static inline size_t mb_av_error_max_string_size(void) { return AV_ERROR_MAX_STRING_SIZE; }
static inline void mb_av_channel_layout_mono(AVChannelLayout *layout) {
    AVChannelLayout m = AV_CHANNEL_LAYOUT_MONO; *layout = m;
}
static inline void mb_av_channel_layout_stereo(AVChannelLayout *layout) {
    AVChannelLayout s = AV_CHANNEL_LAYOUT_STEREO; *layout = s;
}
