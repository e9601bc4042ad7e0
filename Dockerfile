# kcd's container image (docs/install.md). The build stage compiles kcd with the Swift runtime
# linked in, through scripts/build-release.sh, the script the tests run and check; the runtime
# stage is Debian slim with only the shared libraries that binary needs and CA certificates.
# Both stages are bookworm, so the libcurl and OpenSSL kcd was linked against are the ones it runs with.

FROM swift:6.3.1-bookworm AS build
# DL3008 (pin apt versions): the base image is pinned by tag and these come from its Debian
# release; pinned versions leave the archive with each security update and break the build.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Everything Package.swift names (the test and bench targets too, or the package does not load),
# but no docs or charts, so editing those does not rebuild.
COPY Package.swift ./
COPY Sources Sources
COPY Benchmarks Benchmarks
COPY Tests Tests
COPY scripts/build-release.sh scripts/
# The release link reads the function order (Package.swift, kcdReleaseLinking).
COPY scripts/kcd.order scripts/
RUN scripts/build-release.sh /out/kcd .build

FROM debian:bookworm-slim
# DL3008: as above.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libcurl4 libssl3 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/kcd /usr/local/bin/kcd
# Numeric, so Kubernetes' runAsNonRoot can check it without a passwd entry.
USER 65532:65532
# kcd run's defaults: hooks (--hooks-addr :8080), API, metrics and probes (--api-addr :8081).
EXPOSE 8080 8081
ENTRYPOINT ["kcd"]
CMD ["run"]
LABEL org.opencontainers.image.title="kcd" \
      org.opencontainers.image.description="Kubernetes continuous delivery: rolls workloads out when their image is pushed" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
