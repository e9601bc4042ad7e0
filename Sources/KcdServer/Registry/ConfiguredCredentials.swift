import KcdCore
import KcdRegistry
import Synchronization

/// Registry credentials named in the config file (username + password file, Docker config
/// files), re-read at most once a minute so mounted Secrets can rotate.
final class ConfiguredCredentials: Sendable {
  let registries: [KcdConfig.Registry]
  let log: Logger
  let cache = Mutex<(RegistryCredentials, Double)?>(nil)

  init(registries: [KcdConfig.Registry], log: Logger) {
    self.registries = registries
    self.log = log
  }

  func current() -> RegistryCredentials {
    let now = Timestamps.now()
    if let (c, at) = cache.withLock({ $0 }), now - at < 60 { return c }
    var credentials = RegistryCredentials()
    for r in registries {
      if let file = r.dockerConfig {
        do { credentials = credentials.merging(try RegistryCredentials.parseDockerConfig(try FileIO.read(file, limit: 1 << 20))) } catch {
          log.warn("cannot use registry docker config", [("host", r.host), ("file", file), ("error", "\(error)")])
        }
      }
      if let user = r.username, let file = r.passwordFile {
        do {
          let password = String(decoding: try FileIO.read(file, limit: 64 * 1024), as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
          credentials.set(.basic(username: user, password: password), forHost: r.host)
        } catch {
          log.warn("cannot read registry password file", [("host", r.host), ("file", file)])
        }
      }
    }
    cache.withLock { $0 = (credentials, now) }
    return credentials
  }
}
