import CBridgeFFmpeg
import CBridgeOpenSSL
import CBridgeShim
import CBridgeSRTP
import Testing

/// Proves each C library links and answers: its version, and one real call through the shim.
@Suite struct CLibrarySmokeTests {
    @Test func openSSLMakesADTLSContext() throws {
        let version = String(cString: OpenSSL_version(OPENSSL_VERSION))
        #expect(version.hasPrefix("OpenSSL 3."))
        let context = try #require(SSL_CTX_new(DTLS_method()))
        defer { SSL_CTX_free(context) }
        SSL_CTX_set_options(context, mb_ssl_op_dtls_defaults())
        #expect(SSL_CTX_get_options(context) & mb_ssl_op_no_ticket() != 0)
        #expect(mb_ssl_ctx_set_min_proto_version(context, mb_dtls1_2_version()) == 1)
        // 0 means success for this one call (INTEROP-NOTES.md).
        #expect(SSL_CTX_set_tlsext_use_srtp(context, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80") == 0)
        let key = try #require(mb_evp_ec_gen("P-256"))
        EVP_PKEY_free(key)
    }

    @Test func libsrtpAnswersAndMakesAPolicy() {
        let version = String(cString: srtp_get_version_string())
        #expect(version.hasPrefix("libsrtp2 2."))
        #expect(srtp_get_version() >> 24 == 2)
        // srtp_init is BridgeSRTP's to call, once per process (SRTPContextTests cover it).
        var policy = srtp_crypto_policy_t()
        mb_srtp_policy_aes_cm_128_hmac_sha1_80(&policy)
        #expect(policy.cipher_key_len == 30)  // 16-byte key + 14-byte salt
        #expect(policy.auth_tag_len == 10)
    }

    @Test func ffmpegFindsTheCodecsWeNeed() throws {
        #expect(avformat_version() >> 16 >= 59)
        #expect(avcodec_version() >> 16 >= 59)
        #expect(swresample_version() >> 16 >= 4)
        #expect(avcodec_find_decoder(AV_CODEC_ID_AAC) != nil)
        #expect(avcodec_find_encoder_by_name("libopus") != nil)
        #expect(avcodec_find_decoder(AV_CODEC_ID_H264) != nil)
        #expect(mb_av_nopts_value() == Int64.min)
        #expect(mb_averror_eof() < 0)
        var buffer = [CChar](repeating: 0, count: mb_av_error_max_string_size())
        let message = String(cString: mb_av_err2str(mb_averror(EINVAL), &buffer, buffer.count))
        #expect(message == "Invalid argument")
    }
}
