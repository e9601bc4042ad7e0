import KcdCore
import KcdServer

#if canImport(Glibc)
import Glibc
#endif

Signals.blockTermination()
exit(KcdCLI.main(CommandLine.arguments))
