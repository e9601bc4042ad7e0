#ifndef CKCDCRYPTO_H
#define CKCDCRYPTO_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/// An RSA public key from the big-endian modulus and exponent of a JWK (`n`, `e`), built with
/// OSSL_PARAM_BLD + EVP_PKEY_fromdata (Swift cannot reach the selection macros). NULL on failure.
EVP_PKEY *_Nullable kcd_crypto_rsa_public_key(const uint8_t *_Nonnull n, size_t n_len,
                                              const uint8_t *_Nonnull e, size_t e_len);

/// notBefore / notAfter of a certificate as Unix seconds. Returns 1 on success.
int kcd_crypto_x509_validity(const X509 *_Nonnull cert, int64_t *_Nonnull not_before, int64_t *_Nonnull not_after);

/// The first caIssuers URI of the Authority Information Access extension, NUL-terminated into
/// out. Returns its length, 0 when absent, -1 when it does not fit.
int kcd_crypto_ca_issuers_url(X509 *_Nonnull cert, char *_Nonnull out, size_t cap);

/// Verifies leaf up to an anchor: the system store (when use_system_store) plus the given extra
/// anchors, which count as trusted even when not self-signed (partial chains). Intermediates are
/// untrusted chain material. at_time is the verification time in Unix seconds. Returns 1 when
/// the chain holds; otherwise 0 with the X509_V_ERR code in *verify_error (-1: setup failed).
int kcd_crypto_verify_chain(X509 *_Nonnull leaf,
                            X509 *_Nonnull const *_Nullable intermediates, size_t intermediate_count,
                            X509 *_Nonnull const *_Nullable anchors, size_t anchor_count,
                            int use_system_store, int64_t at_time, int *_Nonnull verify_error);

/// The value (the contents of the extnValue OCTET STRING) of the extension with the dotted OID
/// `oid`, copied into out. Returns its length; 0 when absent; -1 when it does not fit; -2 when
/// the certificate carries the extension more than once (ambiguous, so refused).
int kcd_crypto_x509_extension_value(X509 *_Nonnull cert, const char *_Nonnull oid, uint8_t *_Nonnull out, size_t cap);

/// The index-th email (kind 1) or URI (kind 2) subject alternative name, copied into out
/// (not NUL-terminated); other name forms are counted with kind 0 and nothing copied.
/// Returns the length; -1 when index is past the last name; -2 when it does not fit.
int kcd_crypto_x509_san(X509 *_Nonnull cert, int index, int *_Nonnull kind, uint8_t *_Nonnull out, size_t cap);

/// 1 when the certificate has an extended key usage extension that includes code signing, else 0.
int kcd_crypto_x509_has_code_signing(X509 *_Nonnull cert);

/// An HMAC-SHA256 key with its inner and outer pads already hashed, so signing a message costs
/// the message's blocks and two copies of a digest state — not a method fetch and a key setup
/// per call, as OpenSSL 3's one-shot HMAC() does. Immutable once made: share it across threads.
typedef struct kcd_hmac_key kcd_hmac_key;

kcd_hmac_key *_Nullable kcd_hmac_sha256_key_new(const uint8_t *_Nullable key, size_t key_len);
void kcd_hmac_sha256_key_free(kcd_hmac_key *_Nullable key);

/// HMAC-SHA256 of part1 ‖ part2 into out (32 bytes). Returns 1 on success.
int kcd_hmac_sha256(const kcd_hmac_key *_Nonnull key, const uint8_t *_Nullable part1, size_t len1,
                    const uint8_t *_Nullable part2, size_t len2, uint8_t *_Nonnull out);

#endif
