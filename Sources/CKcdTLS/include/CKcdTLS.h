#ifndef CKCDTLS_H
#define CKCDTLS_H
#include <stddef.h>
#include <openssl/ssl.h>

/// Generates an EC P-256 key and an X.509 certificate for it, signed by the issuer (or
/// self-signed when issuer_cert_pem is NULL). `san` is a subjectAltName value such as
/// "IP:127.0.0.1,DNS:localhost" (or NULL). On success returns 0 and sets *cert_out and
/// *key_out to malloc'ed PEM strings the caller frees with kcd_tls_free.
int kcd_tls_generate(const char *_Nonnull common_name, const char *_Nullable san, int is_ca, int days,
                     const char *_Nullable issuer_cert_pem, const char *_Nullable issuer_key_pem,
                     char *_Nullable *_Nonnull cert_out, char *_Nullable *_Nonnull key_out);

/// A TLS server context from a PEM certificate chain and key; NULL on failure with a message
/// written to err.
SSL_CTX *_Nullable kcd_tls_server_context(const char *_Nonnull cert_chain_pem, const char *_Nonnull key_pem,
                                          char *_Nonnull err, size_t err_len);

/// The last OpenSSL error as text; clears the error queue.
void kcd_tls_last_error(char *_Nonnull err, size_t err_len);

void kcd_tls_free(void *_Nullable p);

#endif
