#ifndef CKCDCURL_H
#define CKCDCURL_H
#include <stddef.h>
#include <curl/curl.h>

/* Typed wrappers for libcurl's variadic setopt/getinfo, which Swift cannot call. */
CURLcode kcd_curl_setopt_long(CURL *_Nonnull h, CURLoption opt, long value);
CURLcode kcd_curl_setopt_off(CURL *_Nonnull h, CURLoption opt, curl_off_t value);
CURLcode kcd_curl_setopt_string(CURL *_Nonnull h, CURLoption opt, const char *_Nullable value);
CURLcode kcd_curl_setopt_pointer(CURL *_Nonnull h, CURLoption opt, void *_Nullable value);
CURLcode kcd_curl_setopt_slist(CURL *_Nonnull h, CURLoption opt, struct curl_slist *_Nullable value);
/* Copies the bytes (CURL_BLOB_COPY): PEM data for CAINFO_BLOB, SSLCERT_BLOB, SSLKEY_BLOB. */
CURLcode kcd_curl_setopt_blob(CURL *_Nonnull h, CURLoption opt, const void *_Nonnull data, size_t length);

typedef size_t (*kcd_curl_data_callback)(char *_Nonnull data, size_t size, size_t count, void *_Nullable context);
typedef int (*kcd_curl_progress_callback)(void *_Nullable context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
CURLcode kcd_curl_setopt_write_callback(CURL *_Nonnull h, kcd_curl_data_callback _Nonnull cb);
CURLcode kcd_curl_setopt_header_callback(CURL *_Nonnull h, kcd_curl_data_callback _Nonnull cb);
CURLcode kcd_curl_setopt_progress_callback(CURL *_Nonnull h, kcd_curl_progress_callback _Nonnull cb);

CURLcode kcd_curl_getinfo_long(CURL *_Nonnull h, CURLINFO info, long *_Nonnull value);

/* Returned from a write callback to abort the transfer. */
extern const size_t kcd_curl_writefunc_error;

#endif
