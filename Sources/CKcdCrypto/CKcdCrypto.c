#include <stdlib.h>
#include "CKcdCrypto.h"
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

EVP_PKEY *kcd_crypto_rsa_public_key(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len) {
  EVP_PKEY *key = NULL;
  BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL);
  BIGNUM *bn_e = BN_bin2bn(e, (int)e_len, NULL);
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  if (bn_n == NULL || bn_e == NULL || bld == NULL) goto done;
  if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n)) goto done;
  if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) goto done;
  params = OSSL_PARAM_BLD_to_param(bld);
  if (params == NULL) goto done;
  ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
  if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0) goto done;
  if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0) key = NULL;
done:
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  ERR_clear_error();
  return key;
}

static int asn1_time_to_unix(const ASN1_TIME *t, int64_t *out) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  *out = (int64_t)timegm(&tm);
  return 1;
}

int kcd_crypto_x509_validity(const X509 *cert, int64_t *not_before, int64_t *not_after) {
  int ok = asn1_time_to_unix(X509_get0_notBefore(cert), not_before) && asn1_time_to_unix(X509_get0_notAfter(cert), not_after);
  ERR_clear_error();
  return ok;
}

int kcd_crypto_ca_issuers_url(X509 *cert, char *out, size_t cap) {
  int result = 0;
  AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
  if (aia == NULL) { ERR_clear_error(); return 0; }
  for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
    ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
    if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI) continue;
    const ASN1_IA5STRING *uri = ad->location->d.uniformResourceIdentifier;
    int len = ASN1_STRING_length(uri);
    if (len <= 0) continue;
    if ((size_t)len + 1 > cap) { result = -1; break; }
    memcpy(out, ASN1_STRING_get0_data(uri), (size_t)len);
    out[len] = 0;
    result = len;
    break;
  }
  AUTHORITY_INFO_ACCESS_free(aia);
  ERR_clear_error();
  return result;
}

int kcd_crypto_verify_chain(X509 *leaf, X509 *const *intermediates, size_t intermediate_count,
                            X509 *const *anchors, size_t anchor_count,
                            int use_system_store, int64_t at_time, int *verify_error) {
  int ok = 0;
  *verify_error = -1;
  X509_STORE *store = X509_STORE_new();
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  STACK_OF(X509) *untrusted = sk_X509_new_null();
  if (store == NULL || ctx == NULL || untrusted == NULL) goto done;
  if (use_system_store && X509_STORE_set_default_paths(store) != 1) goto done;
  for (size_t i = 0; i < anchor_count; i++) {
    if (X509_STORE_add_cert(store, anchors[i]) != 1) goto done;
  }
  for (size_t i = 0; i < intermediate_count; i++) {
    if (!sk_X509_push(untrusted, intermediates[i])) goto done;
  }
  X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
  if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) goto done;
  X509_STORE_CTX_set_time(ctx, 0, (time_t)at_time);
  if (X509_verify_cert(ctx) == 1) {
    ok = 1;
    *verify_error = 0;
  } else {
    *verify_error = X509_STORE_CTX_get_error(ctx);
  }
done:
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted); /* the certificates belong to the caller */
  X509_STORE_free(store);
  ERR_clear_error();
  return ok;
}

/* The bytes of an ASN.1 string copied into out: their count (0 for none), or too_long. */
static int copy_asn1_bytes(const ASN1_STRING *value, uint8_t *out, size_t cap, int too_long) {
  int len = value == NULL ? 0 : ASN1_STRING_length(value);
  if (len <= 0) return 0;
  if ((size_t)len > cap) return too_long;
  memcpy(out, ASN1_STRING_get0_data(value), (size_t)len);
  return len;
}

int kcd_crypto_x509_extension_value(X509 *cert, const char *oid, uint8_t *out, size_t cap) {
  int result = 0;
  ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
  if (obj == NULL) { ERR_clear_error(); return 0; }
  int at = X509_get_ext_by_OBJ(cert, obj, -1);
  if (at >= 0 && X509_get_ext_by_OBJ(cert, obj, at) >= 0) {
    result = -2;
  } else if (at >= 0) {
    result = copy_asn1_bytes(X509_EXTENSION_get_data(X509_get_ext(cert, at)), out, cap, -1);
  }
  ASN1_OBJECT_free(obj);
  ERR_clear_error();
  return result;
}

int kcd_crypto_x509_san(X509 *cert, int index, int *kind, uint8_t *out, size_t cap) {
  *kind = 0;
  GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  if (names == NULL) { ERR_clear_error(); return -1; }
  int result = -1;
  if (index >= 0 && index < sk_GENERAL_NAME_num(names)) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, index);
    const ASN1_IA5STRING *text = NULL;
    if (name->type == GEN_EMAIL) { *kind = 1; text = name->d.rfc822Name; }
    if (name->type == GEN_URI) { *kind = 2; text = name->d.uniformResourceIdentifier; }
    result = copy_asn1_bytes(text, out, cap, -2);
  }
  GENERAL_NAMES_free(names);
  ERR_clear_error();
  return result;
}

int kcd_crypto_x509_has_code_signing(X509 *cert) {
  // Without the extension OpenSSL reports every usage; a signing certificate must name it.
  int present = (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) != 0;
  uint32_t usage = X509_get_extended_key_usage(cert);
  ERR_clear_error();
  return present && (usage & XKU_CODE_SIGN) ? 1 : 0;
}

// MARK: HMAC-SHA256 with prepared pads

#include <pthread.h>
#include <string.h>

struct kcd_hmac_key {
  EVP_MD_CTX *inner;
  EVP_MD_CTX *outer;
};

static EVP_MD *kcd_sha256_method;
static pthread_once_t kcd_sha256_once = PTHREAD_ONCE_INIT;
static void kcd_sha256_fetch(void) { kcd_sha256_method = EVP_MD_fetch(NULL, "SHA256", NULL); }

static const EVP_MD *kcd_sha256(void) {
  pthread_once(&kcd_sha256_once, kcd_sha256_fetch);
  return kcd_sha256_method;
}

kcd_hmac_key *kcd_hmac_sha256_key_new(const uint8_t *key, size_t key_len) {
  const EVP_MD *md = kcd_sha256();
  if (md == NULL) return NULL;
  uint8_t block[64] = {0};
  if (key_len > 64) {
    unsigned int n = 0;
    if (EVP_Digest(key, key_len, block, &n, md, NULL) != 1) return NULL;
  } else if (key_len > 0) {
    memcpy(block, key, key_len);
  }
  uint8_t ipad[64], opad[64];
  for (int i = 0; i < 64; i++) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  kcd_hmac_key *k = calloc(1, sizeof(kcd_hmac_key));
  if (k == NULL) return NULL;
  k->inner = EVP_MD_CTX_new();
  k->outer = EVP_MD_CTX_new();
  if (k->inner == NULL || k->outer == NULL || EVP_DigestInit_ex(k->inner, md, NULL) != 1 || EVP_DigestInit_ex(k->outer, md, NULL) != 1 ||
      EVP_DigestUpdate(k->inner, ipad, 64) != 1 || EVP_DigestUpdate(k->outer, opad, 64) != 1) {
    kcd_hmac_sha256_key_free(k);
    return NULL;
  }
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  return k;
}

void kcd_hmac_sha256_key_free(kcd_hmac_key *key) {
  if (key == NULL) return;
  EVP_MD_CTX_free(key->inner);
  EVP_MD_CTX_free(key->outer);
  free(key);
}

// One working state per thread, reused: copying into it is all a signature costs. It is
// freed when its thread exits (kcd's workers and connection threads come and go).
static pthread_key_t hmac_work_key;
static pthread_once_t hmac_work_once = PTHREAD_ONCE_INIT;

static void hmac_work_free(void *work) { EVP_MD_CTX_free((EVP_MD_CTX *)work); }
static void hmac_work_key_create(void) { pthread_key_create(&hmac_work_key, hmac_work_free); }

static EVP_MD_CTX *hmac_work(void) {
  pthread_once(&hmac_work_once, hmac_work_key_create);
  EVP_MD_CTX *work = pthread_getspecific(hmac_work_key);
  if (work == NULL) {
    if ((work = EVP_MD_CTX_new()) == NULL) return NULL;
    if (pthread_setspecific(hmac_work_key, work) != 0) {
      EVP_MD_CTX_free(work);
      return NULL;
    }
  }
  return work;
}

int kcd_hmac_sha256(const kcd_hmac_key *key, const uint8_t *part1, size_t len1, const uint8_t *part2, size_t len2, uint8_t *out) {
  EVP_MD_CTX *work = hmac_work();
  if (work == NULL) return 0;
  uint8_t inner[32];
  unsigned int n = 0;
  if (EVP_MD_CTX_copy_ex(work, key->inner) != 1) return 0;
  if (len1 > 0 && EVP_DigestUpdate(work, part1, len1) != 1) return 0;
  if (len2 > 0 && EVP_DigestUpdate(work, part2, len2) != 1) return 0;
  if (EVP_DigestFinal_ex(work, inner, &n) != 1) return 0;
  if (EVP_MD_CTX_copy_ex(work, key->outer) != 1) return 0;
  if (EVP_DigestUpdate(work, inner, 32) != 1) return 0;
  if (EVP_DigestFinal_ex(work, out, &n) != 1) return 0;
  return 1;
}
