/// `scripts/build-release.sh` (the Dockerfile's build step), run at most once per test process.
public enum ReleaseBuild {
  /// SwiftPM's folder for the release build: `.build-bench`, which `make bench` fills with the same
  /// flags, so a bench run and a test run each reuse the other's compiled modules.
  public static var scratchPath: String {
    TestEnvironment.variable("KCD_RELEASE_SCRATCH") ?? TestEnvironment.packageRoot + "/.build-bench"
  }

  /// The stripped release `kcd`, or the script's output when it failed.
  public static let binary: Result<String, SubprocessError> = {
    let output = scratchPath + "/image/kcd"
    do {
      // A first build compiles kcd's modules with optimisation (1.2 to 2.3 minutes on 2 cores); the
      // limit stays under the suite's, so a stuck build is reported with its output.
      let r = try Subprocess.run([TestEnvironment.packageRoot + "/scripts/build-release.sh", output, scratchPath], timeout: 840)
      guard r.status == 0, TestEnvironment.executableExists(output) else {
        return .failure(SubprocessError(description: "scripts/build-release.sh failed: \(r)"))
      }
      return .success(output)
    } catch let error as SubprocessError {
      return .failure(error)
    } catch {
      return .failure(SubprocessError(description: "\(error)"))
    }
  }()
}

/// What the dynamic linker needs for an ELF file: its own `NEEDED` entries and RUNPATH
/// (`readelf -d`), and everything `ldd` resolves for it.
public struct DynamicLinks: Sendable {
  public var needed: Set<String> = []
  public var runpath: String?
  /// `ldd`'s lines as soname → resolved path ("" for the vDSO and the loader, "not found" when missing).
  public var resolved: [String: String] = [:]

  public init(of path: String) throws {
    let elf = try Subprocess.run(["readelf", "-d", path])
    guard elf.status == 0 else { throw SubprocessError(description: "readelf -d \(path): \(elf)") }
    for line in elf.stdout.split(separator: "\n") {
      let value = line.split(separator: "[", maxSplits: 1).last.map { String($0.prefix { $0 != "]" }) }
      if line.contains("(NEEDED)"), let value { needed.insert(value) }
      if line.contains("(RUNPATH)") || line.contains("(RPATH)") { runpath = value }
    }
    let ldd = try Subprocess.run(["ldd", path])
    guard ldd.status == 0 else { throw SubprocessError(description: "ldd \(path): \(ldd)") }
    for line in ldd.stdout.split(separator: "\n") {
      // "libcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x…)", "linux-vdso.so.1 (0x…)",
      // "/lib64/ld-linux-x86-64.so.2 (0x…)", "libfoo.so => not found".
      let parts = line.split { $0 == " " || $0 == "\t" }
      guard let first = parts.first else { continue }
      let name = String(first.split(separator: "/").last ?? first)
      if parts.count >= 3, parts[1] == "=>" {
        resolved[name] = parts[2] == "not" ? "not found" : String(parts[2])
      } else {
        resolved[name] = ""
      }
    }
  }
}
