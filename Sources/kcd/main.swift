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
exit(KcdCLI.main(CommandLine.arguments))
