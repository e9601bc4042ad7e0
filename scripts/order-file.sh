#!/usr/bin/env bash
# Writes scripts/kcd.order: the functions a release `kcd run` executes while it starts, takes one
# CI callback, rolls it out and idles, one symbol per line. Release builds of kcd hand it to the
# linker (Package.swift: lld's --symbol-ordering-file), which puts those functions side by side
# instead of scattered over the 9 MB of code among everything kcd rarely or never runs, so a
# running kcd maps a third fewer pages of its binary (docs/benchmarks.md, "RSS with no KCD").
#
# Run it after changes that move kcd's start-up or rollout path; a stale list costs memory only
# (missing symbols are skipped, new functions placed as before), never behaviour.
# Needs valgrind (callgrind lists every function that ran, not a sample), kubectl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in valgrind kubectl python3; do
  command -v "$tool" >/dev/null || { echo "order-file: needs $tool" >&2; exit 1; }
done

flags=(-c release --static-swift-stdlib --scratch-path .build-bench)
swift build "${flags[@]}" --product kcd
bin=$(swift build "${flags[@]}" --show-bin-path)/kcd

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# valgrind 3.19 cannot read clang's DWARF 5: profile a copy without debug info (symbols kept).
strip --strip-debug -o "$work/kcd" "$bin"

"$work/kcd" sim --listen 127.0.0.1:0 --kubeconfig-out "$work/kubeconfig" --bookmark-interval 60 >"$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
export KUBECONFIG=$work/kubeconfig
kubectl apply -f charts/kcd/crds/kcd.yaml >/dev/null
kubectl create namespace shop >/dev/null
kubectl -n shop create deployment web --image=registry.example/shop/web:1.0 >/dev/null
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: kcd.dev/v1
kind: KCD
metadata: {name: web, namespace: shop}
spec:
  imageRepo: registry.example/shop/web
  tag: main
  selector: {app: web}
EOF

mkdir -p "$work/hooks"
echo "whsec_$(head -c 32 /dev/urandom | base64)" >"$work/hooks/ci"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.out" \
  "$work/kcd" run --kubeconfig "$work/kubeconfig" --hooks-addr 127.0.0.1:0 --api-addr 127.0.0.1:0 \
  --hooks-secret-dir "$work/hooks" --log-format json >"$work/kcd.log" 2>&1 &
kcd=$!
pids+=($kcd)
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/^kcd listening: hooks on :\([0-9]*\),.*/\1/p' "$work/kcd.log")
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || { echo "order-file: kcd did not start under valgrind" >&2; tail -5 "$work/kcd.log" >&2; exit 1; }

digest=sha256:$(head -c 32 /dev/urandom | sha256sum | cut -d' ' -f1)
"$work/kcd" hooks send --url "http://127.0.0.1:$port/hooks/ci" --secret-file "$work/hooks/ci" \
  --repository registry.example/shop/web --tag main --digest "$digest" --version v2 >/dev/null
rolled=""
for _ in $(seq 1 600); do
  if kubectl -n shop get kcd web -o jsonpath='{.status.currStatus}' 2>/dev/null | grep -q Success; then rolled=yes; break; fi
  sleep 0.2
done
[ -n "$rolled" ] || { echo "order-file: the push was not rolled out" >&2; exit 1; }
sleep 5  # idle: the watches and workers at rest
kill -TERM "$kcd"
wait "$kcd" || true

# Every function of kcd's binary callgrind saw run (as caller or callee), in the order of the
# profile; compressed names "(n) name" are defined once and referred to by "(n)" after.
python3 - "$work/callgrind.out" "$work/kcd" >scripts/kcd.order <<'PY'
import re, sys
out, binary = sys.argv[1], sys.argv[2]
objects, names, seen = {}, {}, []
known = set()
ob = cob = None
for line in open(out, errors="replace"):
    m = re.match(r"(c?ob)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
    if m:
        kind, i, name = m.groups()
        if name: objects[i] = name
        if kind == "ob": ob = objects.get(i)
        else: cob = objects.get(i)
        continue
    m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
    if not m: continue
    kind, i, name = m.groups()
    if name: names[i] = name
    owner = ob if kind == "fn" else (cob or ob)
    if kind == "cfn": cob = None
    symbol = names.get(i)
    if owner == binary and symbol and not symbol.startswith("0x") and " " not in symbol and symbol not in known:
        known.add(symbol)
        seen.append(symbol)
print("\n".join(seen))
PY
echo "order-file: scripts/kcd.order, $(wc -l <scripts/kcd.order) functions"
