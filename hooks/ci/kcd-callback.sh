#!/bin/sh
# Sends kcd a signed CI callback with nothing but POSIX sh, openssl and curl.
#
#   KCD_URL=https://kcd.example KCD_SECRET_FILE=ci.key \
#     kcd-callback.sh REPOSITORY TAG DIGEST [VERSION] [NAMESPACE/KCD]
#
# KCD_SECRET_FILE holds the Standard Webhooks key kcd has in its hooks secret folder as `ci`
# (whsec_<base64>, or raw bytes). Exits non-zero unless kcd answered 2xx; retries on 429, 5xx
# and connection errors.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 REPOSITORY TAG DIGEST [VERSION] [NAMESPACE/KCD]" >&2; exit 2; }
: "${KCD_URL:?set KCD_URL to kcd's hooks address, e.g. https://kcd.example}"
: "${KCD_SECRET_FILE:?set KCD_SECRET_FILE to the file holding the ci key}"
repository=$1 tag=$2 digest=$3 version=${4:-} target=${5:-}

secret=$(head -n 1 "$KCD_SECRET_FILE" | tr -d '\r\n')
case "$secret" in
  whsec_*) key_hex=$(printf '%s' "${secret#whsec_}" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n') ;;
  *) key_hex=$(printf '%s' "$secret" | od -An -v -tx1 | tr -d ' \n') ;;
esac

body=$(printf '{"repository":"%s","tag":"%s","digest":"%s"' "$repository" "$tag" "$digest")
[ -n "$version" ] && body=$(printf '%s,"version":"%s"' "$body" "$version")
[ -n "$target" ] && body=$(printf '%s,"kcd":"%s"' "$body" "$target")
body="$body}"

id="msg_$(openssl rand -hex 12)"   # stable across retries: kcd answers a replay with 200
attempt=0
while :; do
  attempt=$((attempt + 1))
  ts=$(date +%s)                    # fresh for each attempt (kcd accepts ±5 minutes)
  signature=$(printf '%s.%s.%s' "$id" "$ts" "$body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | openssl base64 -A)
  code=$(curl -sS -o /tmp/kcd-callback.$$ -w '%{http_code}' -X POST "$KCD_URL/hooks/ci" \
    -H 'content-type: application/json' -H "webhook-id: $id" -H "webhook-timestamp: $ts" \
    -H "webhook-signature: v1,$signature" --data "$body") || code=000
  case "$code" in
    2??) cat /tmp/kcd-callback.$$; echo; rm -f /tmp/kcd-callback.$$; exit 0 ;;
    429|5??|000) [ "$attempt" -lt 6 ] || break; sleep $((attempt * 2)) ;;
    *) break ;;
  esac
done
echo "kcd answered $code:" >&2
cat /tmp/kcd-callback.$$ >&2 2>/dev/null || true
rm -f /tmp/kcd-callback.$$
exit 1
