# kcd — build, test, demo. `make test` and `make demo` install what they need first (as root).
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
export KCD_KUBECTL_120 := $(CURDIR)/.build-tools/kubectl-1.20/usr/bin/kubectl

.PHONY: all setup build test test-swift test-python fuzz fuzz-smoke demo sim bench release order-file clean

all: build

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

# The Swift and Python suites, then a fuzz smoke (scripts/test.sh says how they are run).
test: setup
	SWIFT="$(SWIFT)" SWIFT_BUILD_FLAGS="$(SWIFT_BUILD_FLAGS)" scripts/test.sh

# libFuzzer harnesses with AddressSanitizer (docs/fuzzing.md): FUZZ_SECONDS per harness.
fuzz: setup
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} scripts/fuzz.sh

# A few seconds of every harness: a harness that no longer builds or crashes at once fails.
fuzz-smoke: setup
	FUZZ_SECONDS=2 scripts/fuzz.sh

demo: build
	.build/debug/kcd demo

sim: build
	.build/debug/kcd sim --listen 127.0.0.1:6443 --kubeconfig-out kubesim.kubeconfig

release: setup
	$(SWIFT) build -c release --product kcd $(SWIFT_BUILD_FLAGS)

# kcd at 100, 1,000 and 10,000 KCDs as users run it (docs/benchmarks.md).
bench: setup
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-bench $(SWIFT_BUILD_FLAGS)
	.build-bench/release/kcd-bench scale

clean:
	rm -rf .build .build-tools

# The function order release builds link by (scripts/kcd.order; needs valgrind).
order-file: setup
	scripts/order-file.sh
