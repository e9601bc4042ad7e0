import KcdCore
import KcdServer

#if canImport(Glibc)
import Glibc
#endif

Signals.blockTermination()
// Webhook and API listeners hold a descriptor per connection: use the hard limit.
var limit = rlimit()
if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
  limit.rlim_cur = limit.rlim_max
  setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
// kcd's threads mostly wait; one malloc arena per thread (glibc's default, up to 8 per core)
// only spreads a small heap over more pages. Two arenas keep the resident set small.
// (mallopt is not exported to Swift: looked up by name; M_ARENA_MAX is -8.)
typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
if let mallopt = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") { _ = unsafeBitCast(mallopt, to: Mallopt.self)(-8, 2) }
exit(KcdCLI.main(CommandLine.arguments))
