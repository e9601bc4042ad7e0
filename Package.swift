// swift-tools-version: 6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
]

/// How release builds of `kcd` are linked, for the memory a running kcd maps (docs/benchmarks.md,
/// "RSS with no KCD"): by lld, with relative relocations packed (RELR: 5 KB instead of 620 KB of
/// tables the loader reads at start; glibc 2.36 or newer runs it, as the image's bookworm has),
/// without exporting kcd's own symbols (nothing looks them up; the loader searched their 590 KB
/// of tables for every library symbol it bound), and with the functions start-up, a webhook and a
/// rollout run placed side by side (scripts/kcd.order, written by scripts/order-file.sh).
let kcdReleaseLinking: [LinkerSetting] = [
  .unsafeFlags([
    "-use-ld=lld",
    "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
    "-Xlinker", "--no-export-dynamic",
    "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/kcd.order",
    "-Xlinker", "--no-warn-symbol-ordering",
  ], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
  name: "kcd",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "kcd", targets: ["kcd"]),
    .executable(name: "kcd-bench", targets: ["kcd-bench"]),
  ],
  targets: [
    .target(name: "KcdJSON", swiftSettings: swiftSettings),
    .target(name: "KcdYAML", dependencies: ["KcdJSON"], swiftSettings: swiftSettings),
    .target(name: "KcdCore", swiftSettings: swiftSettings),
    .target(name: "KcdPattern", swiftSettings: swiftSettings),
    .target(name: "KcdVersionPolicy", dependencies: ["KcdPattern"], swiftSettings: swiftSettings),
    .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
    .target(name: "CKcdTLS", dependencies: ["COpenSSL"]),
    .target(name: "CKcdCrypto", dependencies: ["COpenSSL"]),
    .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    .target(name: "CKcdCurl", dependencies: ["CCurl"]),
    .target(name: "KcdCrypto", dependencies: ["KcdCore", "KcdJSON", "COpenSSL", "CKcdCrypto"], swiftSettings: swiftSettings),
    .target(name: "KcdHTTP", dependencies: ["KcdCore", "KcdJSON", "COpenSSL", "CKcdTLS", "CCurl", "CKcdCurl"], swiftSettings: swiftSettings),
    .target(name: "KcdKube", dependencies: ["KcdCore", "KcdHTTP", "KcdJSON", "KcdYAML"], swiftSettings: swiftSettings),
    .target(name: "KcdHooks", dependencies: ["KcdCore", "KcdCrypto", "KcdJSON", "KcdPattern"], swiftSettings: swiftSettings),
    .target(name: "KcdRegistry", dependencies: ["KcdCore", "KcdHTTP", "KcdJSON", "KcdHooks", "KcdCrypto"], swiftSettings: swiftSettings),
    .target(name: "KcdSigning", dependencies: ["KcdCore", "KcdCrypto", "KcdJSON", "KcdPattern", "KcdRegistry"], swiftSettings: swiftSettings),
    .target(name: "KcdController", dependencies: ["KcdCore", "KcdJSON", "KcdKube", "KcdHooks", "KcdHTTP", "KcdPattern", "KcdVersionPolicy", "KcdSigning"], swiftSettings: swiftSettings),
    .target(name: "KubeSim", dependencies: ["KcdCore", "KcdHTTP", "KcdJSON"], swiftSettings: swiftSettings),
    .target(name: "KcdServer", dependencies: ["KcdCore", "KubeSim", "KcdHTTP", "KcdJSON", "KcdKube", "KcdHooks", "KcdController", "KcdCrypto", "KcdYAML", "KcdRegistry", "KcdSigning"], swiftSettings: swiftSettings),
    .executableTarget(name: "kcd", dependencies: ["KcdCore", "KcdServer"], swiftSettings: swiftSettings, linkerSettings: kcdReleaseLinking),
    .executableTarget(name: "kcd-bench", dependencies: ["KubeSim", "KcdHTTP", "KcdJSON", "KcdServer", "KcdController", "KcdKube", "KcdHooks", "KcdYAML", "KcdCore"], path: "Benchmarks/KcdBench", swiftSettings: swiftSettings),
    .target(name: "KcdTestSupport", dependencies: ["KcdCore", "KcdJSON", "KcdCrypto", "KcdHTTP"], path: "Tests/KcdTestSupport", swiftSettings: swiftSettings),
    .testTarget(name: "KcdCryptoTests", dependencies: ["KcdCrypto", "KcdCore", "KcdJSON", "KcdTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdHooksTests", dependencies: ["KcdHooks", "KcdCrypto", "KcdCore", "KcdJSON", "KcdPattern", "KcdTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdKubeTests", dependencies: ["KcdKube", "KcdHTTP", "KcdJSON", "KubeSim", "KcdTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdControllerTests", dependencies: ["KcdController", "KcdKube", "KcdHooks", "KcdJSON", "KubeSim", "KcdTestSupport", "KcdServer", "KcdCore", "KcdHTTP", "KcdYAML", "KcdRegistry"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdYAMLTests", dependencies: ["KcdYAML", "KcdJSON"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdJSONTests", dependencies: ["KcdJSON"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdPatternTests", dependencies: ["KcdPattern"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdVersionPolicyTests", dependencies: ["KcdVersionPolicy", "KcdPattern"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdHTTPTests", dependencies: ["KcdHTTP", "KcdTestSupport"], swiftSettings: swiftSettings),
    .testTarget(name: "KubeSimTests", dependencies: ["KubeSim", "KcdHTTP", "KcdJSON", "KcdTestSupport"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdSigningTests", dependencies: ["KcdSigning", "KcdRegistry", "KcdCrypto", "KcdCore", "KcdJSON", "KcdHTTP", "KcdTestSupport"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
    .testTarget(name: "KcdRegistryTests", dependencies: ["KcdRegistry", "KcdHTTP", "KcdJSON", "KcdCore", "KcdCrypto", "KcdTestSupport"], swiftSettings: swiftSettings),
  ]
)

// The libFuzzer harnesses (`make fuzz`, docs/fuzzing.md): only when KCD_FUZZ=1, so the usual
// builds (and release builds, where `@testable import` is unavailable) never compile them.
if Context.environment["KCD_FUZZ"] == "1" {
  package.products.append(.executable(name: "kcd-fuzz", targets: ["kcd-fuzz"]))
  package.targets.append(.executableTarget(
    name: "kcd-fuzz",
    dependencies: ["KcdCore", "KcdJSON", "KcdYAML", "KcdHTTP", "KcdKube", "KcdHooks", "KcdCrypto", "KcdRegistry", "KcdSigning", "KcdVersionPolicy", "KcdPattern", "KcdController"],
    path: "Fuzz/KcdFuzz", swiftSettings: swiftSettings))
}
