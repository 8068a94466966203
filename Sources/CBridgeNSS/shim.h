#pragma once
// NSS's nss.h: pkg-config's -I/usr/include/nss puts it ahead of glibc's header of the same name.
#include <nss.h>

// libsrtp2 here runs on NSS and opens an NSS context per cipher with NSS_INIT_OPTIMIZESPACE, which makes
// protect slower the more sessions are alive (PERFORMANCE.md). Initialising NSS first, without certificate
// or module databases and without that flag, keeps protect flat; libsrtp's own contexts then share it.
// Returns 0 on success (SECSuccess).
static inline int mb_nss_init_for_srtp(void) {
    if (NSS_IsInitialized()) return 0;
    PRUint32 flags = NSS_INIT_READONLY | NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB | NSS_INIT_FORCEOPEN | NSS_INIT_NOROOTINIT;
    return NSS_Initialize("", "", "", "", flags) == SECSuccess ? 0 : -1;
}
