#!/bin/sh
# Sends kcd a signed CI callback with nothing but POSIX sh, openssl and curl.
#
#   KCD_URL=https://kcd.example KCD_SECRET_FILE=ci.key \
#     kcd-callback.sh REPOSITORY TAG DIGEST [VERSION] [NAMESPACE/KCD]
#
# KCD_SECRET_FILE holds the Standard Webhooks key kcd has in its hooks secret folder as `ci`
# (whsec_<base64>, or raw bytes). Exits non-zero unless kcd answered 2xx; retries on 429, 5xx
# and connection errors.
#
# OIDC variant (no shared secret; kcd trusts the CI's issuer, docs/oidc.md): set
# KCD_OIDC_TOKEN_FILE to a file holding the job's ID token instead of KCD_SECRET_FILE:
#
#   KCD_URL=https://kcd.example KCD_OIDC_TOKEN_FILE=id-token \
#     kcd-callback.sh REPOSITORY TAG DIGEST [VERSION] [NAMESPACE/KCD]
#
# which sends `Authorization: Bearer <token>` (the same as
#   curl -X POST "$KCD_URL/hooks/ci" -H "authorization: Bearer $(cat id-token)" \
#     -H 'content-type: application/json' --data "$body"
# ). A token is good once: kcd answers 401 to its reuse (it does not count when kcd answered 429/503).
set -eu
[ $# -ge 3 ] || { echo "usage: $0 REPOSITORY TAG DIGEST [VERSION] [NAMESPACE/KCD]" >&2; exit 2; }
: "${KCD_URL:?set KCD_URL to kcd's hooks address, e.g. https://kcd.example}"
token_file=${KCD_OIDC_TOKEN_FILE:-}
[ -n "$token_file" ] || : "${KCD_SECRET_FILE:?set KCD_SECRET_FILE to the file holding the ci key (or KCD_OIDC_TOKEN_FILE to an ID token)}"
repository=$1 tag=$2 digest=$3 version=${4:-} target=${5:-}

key_hex=
if [ -z "$token_file" ]; then
  secret=$(head -n 1 "$KCD_SECRET_FILE" | tr -d '\r\n')
  case "$secret" in
    whsec_*) key_hex=$(printf '%s' "${secret#whsec_}" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n') ;;
    *) key_hex=$(printf '%s' "$secret" | od -An -v -tx1 | tr -d ' \n') ;;
  esac
fi

body=$(printf '{"repository":"%s","tag":"%s","digest":"%s"' "$repository" "$tag" "$digest")
[ -n "$version" ] && body=$(printf '%s,"version":"%s"' "$body" "$version")
[ -n "$target" ] && body=$(printf '%s,"kcd":"%s"' "$body" "$target")
body="$body}"

id="msg_$(openssl rand -hex 12)"   # stable across retries: kcd answers a replay with 200
attempt=0
while :; do
  attempt=$((attempt + 1))
  if [ -n "$token_file" ]; then
    # The token goes in a curl config on stdin, never on the command line (ps would show it).
    code=$(printf 'header = "authorization: Bearer %s"\n' "$(tr -d ' \r\n' < "$token_file")" |
      curl -sS -K - -o /tmp/kcd-callback.$$ -w '%{http_code}' -X POST "$KCD_URL/hooks/ci" \
        -H 'content-type: application/json' --data "$body") || code=000
  else
    ts=$(date +%s)                  # fresh for each attempt (kcd accepts ±5 minutes)
    signature=$(printf '%s.%s.%s' "$id" "$ts" "$body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | openssl base64 -A)
    code=$(curl -sS -o /tmp/kcd-callback.$$ -w '%{http_code}' -X POST "$KCD_URL/hooks/ci" \
      -H 'content-type: application/json' -H "webhook-id: $id" -H "webhook-timestamp: $ts" \
      -H "webhook-signature: v1,$signature" --data "$body") || code=000
  fi
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
