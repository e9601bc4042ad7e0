#include "CKcdCurl.h"

CURLcode kcd_curl_setopt_long(CURL *h, CURLoption opt, long value) { return curl_easy_setopt(h, opt, value); }
CURLcode kcd_curl_setopt_off(CURL *h, CURLoption opt, curl_off_t value) { return curl_easy_setopt(h, opt, value); }
CURLcode kcd_curl_setopt_string(CURL *h, CURLoption opt, const char *value) { return curl_easy_setopt(h, opt, value); }
CURLcode kcd_curl_setopt_pointer(CURL *h, CURLoption opt, void *value) { return curl_easy_setopt(h, opt, value); }
CURLcode kcd_curl_setopt_slist(CURL *h, CURLoption opt, struct curl_slist *value) { return curl_easy_setopt(h, opt, value); }

CURLcode kcd_curl_setopt_blob(CURL *h, CURLoption opt, const void *data, size_t length) {
  struct curl_blob blob;
  blob.data = (void *)data;
  blob.len = length;
  blob.flags = CURL_BLOB_COPY;
  return curl_easy_setopt(h, opt, &blob);
}

CURLcode kcd_curl_setopt_write_callback(CURL *h, kcd_curl_data_callback cb) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb); }
CURLcode kcd_curl_setopt_header_callback(CURL *h, kcd_curl_data_callback cb) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb); }
CURLcode kcd_curl_setopt_progress_callback(CURL *h, kcd_curl_progress_callback cb) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb); }

CURLcode kcd_curl_getinfo_long(CURL *h, CURLINFO info, long *value) { return curl_easy_getinfo(h, info, value); }

const size_t kcd_curl_writefunc_error = CURL_WRITEFUNC_ERROR;
