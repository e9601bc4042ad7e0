#include "CKcdTLS.h"
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <openssl/bn.h>
#include <stdlib.h>
#include <string.h>

void kcd_tls_last_error(char *err, size_t err_len) {
  unsigned long e = ERR_peek_last_error();
  if (e == 0) {
    snprintf(err, err_len, "unknown TLS error");
  } else {
    ERR_error_string_n(e, err, err_len);
  }
  ERR_clear_error();
}

void kcd_tls_free(void *p) { free(p); }

static char *bio_to_string(BIO *bio) {
  char *data = NULL;
  long n = BIO_get_mem_data(bio, &data);
  if (n <= 0) return NULL;
  char *out = malloc((size_t)n + 1);
  if (!out) return NULL;
  memcpy(out, data, (size_t)n);
  out[n] = 0;
  return out;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (!ext) return 0;
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

int kcd_tls_generate(const char *common_name, const char *san, int is_ca, int days,
                     const char *issuer_cert_pem, const char *issuer_key_pem,
                     char **cert_out, char **key_out) {
  int rc = -1;
  EVP_PKEY *key = NULL, *issuer_key = NULL;
  X509 *cert = NULL, *issuer = NULL;
  BIO *bio = NULL, *cbio = NULL, *kbio = NULL;
  *cert_out = NULL;
  *key_out = NULL;

  key = EVP_EC_gen("P-256");
  if (!key) goto done;
  if (issuer_cert_pem && issuer_key_pem) {
    bio = BIO_new_mem_buf(issuer_cert_pem, -1);
    issuer = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    bio = BIO_new_mem_buf(issuer_key_pem, -1);
    issuer_key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    bio = NULL;
    if (!issuer || !issuer_key) goto done;
  }
  cert = X509_new();
  if (!cert) goto done;
  X509_set_version(cert, 2);
  BIGNUM *serial = BN_new();
  BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert));
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400L);
  X509_set_pubkey(cert, key);
  X509_NAME *name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)common_name, -1, -1, 0);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
  X509 *signer = issuer ? issuer : cert;
  if (!add_ext(cert, signer, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE")) goto done;
  if (!add_ext(cert, signer, NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature,keyEncipherment")) goto done;
  if (!is_ca && !add_ext(cert, signer, NID_ext_key_usage, "serverAuth,clientAuth")) goto done;
  if (!add_ext(cert, signer, NID_subject_key_identifier, "hash")) goto done;
  if (issuer && !add_ext(cert, signer, NID_authority_key_identifier, "keyid:always")) goto done;
  if (san && *san && !add_ext(cert, signer, NID_subject_alt_name, san)) goto done;
  if (!X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256())) goto done;

  cbio = BIO_new(BIO_s_mem());
  kbio = BIO_new(BIO_s_mem());
  if (!cbio || !kbio) goto done;
  if (!PEM_write_bio_X509(cbio, cert)) goto done;
  if (!PEM_write_bio_PrivateKey(kbio, key, NULL, NULL, 0, NULL, NULL)) goto done;
  *cert_out = bio_to_string(cbio);
  *key_out = bio_to_string(kbio);
  if (*cert_out && *key_out) rc = 0;

done:
  if (rc != 0) {
    free(*cert_out);
    free(*key_out);
    *cert_out = NULL;
    *key_out = NULL;
  }
  BIO_free(cbio);
  BIO_free(kbio);
  X509_free(cert);
  X509_free(issuer);
  EVP_PKEY_free(key);
  EVP_PKEY_free(issuer_key);
  return rc;
}

SSL_CTX *kcd_tls_server_context(const char *cert_chain_pem, const char *key_pem, char *err, size_t err_len) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) { kcd_tls_last_error(err, err_len); return NULL; }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  BIO *bio = BIO_new_mem_buf(cert_chain_pem, -1);
  X509 *leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL);
  int ok = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1;
  X509_free(leaf);
  X509 *extra;
  while (ok && (extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    if (SSL_CTX_add_extra_chain_cert(ctx, extra) != 1) { X509_free(extra); ok = 0; }
  }
  ERR_clear_error();
  BIO_free(bio);
  if (ok) {
    bio = BIO_new_mem_buf(key_pem, -1);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    ok = key && SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    EVP_PKEY_free(key);
    BIO_free(bio);
  }
  if (!ok) {
    kcd_tls_last_error(err, err_len);
    SSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}
