#if canImport(Glibc)
import Glibc
#endif

/// One `kcd` sub-command: its name, a line of help, the full usage text, and what it does.
public struct Command: Sendable {
  public let name: String
  public let summary: String
  public let usage: String
  public let run: @Sendable ([String]) throws -> Int32

  public init(name: String, summary: String, usage: String, run: @escaping @Sendable ([String]) throws -> Int32) {
    self.name = name
    self.summary = summary
    self.usage = usage
    self.run = run
  }
}

/// Dispatches `kcd <command> …`; exit codes: 0 success, 1 failure, 2 usage.
public enum KcdCLI {
  public static let version = "0.1.0"

  static var commands: [Command] { [RunCommand.command, DemoCommand.command, SimCommand.command, HooksCommand.command, RegistryCommand.command, KCDCommands.get, KCDCommands.history, KCDCommands.wait, RollbackCommand.command, ApproveCommand.command, MigrateCommand.command, versionCommand] }

  static let versionCommand = Command(name: "version", summary: "print the kcd version", usage: "kcd version") { _ in
    Console.out("kcd \(version)")
    return 0
  }

  public static func main(_ arguments: [String]) -> Int32 {
    let args = Array(arguments.dropFirst())
    guard let name = args.first, name != "--help", name != "-h", name != "help" else {
      printUsage()
      return args.isEmpty ? 2 : 0
    }
    guard let command = commands.first(where: { $0.name == name }) else {
      printError("unknown command \"\(name)\"")
      printUsage()
      return 2
    }
    let rest = Array(args.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
      Console.out(command.usage)
      return 0
    }
    do {
      return try command.run(rest)
    } catch let error as UsageError {
      printError(error.message)
      Console.out(command.usage)
      return 2
    } catch {
      printError("\(error)")
      return 1
    }
  }

  static func printUsage() {
    var text = "kcd — continuous delivery for Kubernetes, driven by registry and CI webhooks\n\nUsage: kcd <command> [flags]\n\nCommands:\n"
    for c in commands { text += "  \(c.name.padding(10))\(c.summary)\n" }
    text += "\nRun 'kcd <command> --help' for the flags of a command."
    Console.out(text)
  }

  public static func printError(_ message: String) {
    Console.err("kcd: \(message)")
  }
}

extension String {
  func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
