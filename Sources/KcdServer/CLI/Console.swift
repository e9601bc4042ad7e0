#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered output: lines reach a pipe at once (tests and CI read `kcd` output live).
public enum Console {
  public static func out(_ text: String) { write(1, text + "\n") }
  public static func err(_ text: String) { write(2, text + "\n") }

  static func write(_ fd: Int32, _ text: String) {
    var s = text
    s.withUTF8 { buffer in
      var offset = 0
      while offset < buffer.count {
        let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if n <= 0 { return }
        offset += n
      }
    }
  }
}
