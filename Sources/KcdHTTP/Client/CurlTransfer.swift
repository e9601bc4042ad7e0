import CCurl
#if canImport(Glibc)
import Glibc
#endif
import CKcdCurl
import KcdCore
import Synchronization

/// One blocking libcurl transfer on a pooled easy handle: sets the options, collects or
/// streams the response through capture-less C callbacks, and maps curl's result.
final class CurlTransfer {
  /// What the callbacks see, reached through the `*DATA` pointers.
  final class Context {
    var status = 0
    var headers = HTTPHeaders()
    var headComplete = false
    var body: [UInt8] = []
    var limit: Int
    var tooLarge = false
    var onHead: ((Int, HTTPHeaders) -> Bool)?
    var onData: (([UInt8]) -> Bool)?
    var stopped = false
    var shouldStop: (() -> Bool)?
    var cancellation: TransferCancellation?
    var lastData = monotonicSeconds()
    var idleTimeout: Double

    init(limit: Int, idleTimeout: Double) {
      self.limit = limit
      self.idleTimeout = idleTimeout
    }
  }

  /// libcurl's one-time set-up; SIGPIPE is ignored because TLS writes can raise it even with
  /// CURLOPT_NOSIGNAL (libcurl's own advice for threaded programs).
  static let globalInit: Bool = {
    signal(SIGPIPE, SIG_IGN)
    return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
  }()

  static func perform(
    handle: UnsafeMutableRawPointer, multi: UnsafeMutableRawPointer, request: HTTPClientRequest, tls: TLSClientOptions, userAgent: String,
    onHead: ((Int, HTTPHeaders) -> Bool)? = nil, onData: (([UInt8]) -> Bool)? = nil, shouldStop: (() -> Bool)? = nil,
    cancellation: TransferCancellation? = nil
  ) throws(HTTPClientError) -> HTTPClientResponse {
    _ = globalInit
    let context = Context(limit: request.maximumBodyBytes, idleTimeout: request.idleTimeout)
    context.onHead = onHead
    context.onData = onData
    context.shouldStop = shouldStop
    context.cancellation = cancellation
    let unmanaged = Unmanaged.passRetained(context)
    defer { unmanaged.release() }
    var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    var headerList: UnsafeMutablePointer<curl_slist>?
    defer { curl_slist_free_all(headerList) }

    let h = handle
    guard kcd_curl_setopt_string(h, CURLOPT_URL, request.url) == CURLE_OK else {
      throw HTTPClientError(.invalidRequest, "invalid URL \(request.url)")
    }
    _ = kcd_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
    _ = kcd_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
    _ = kcd_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000))
    _ = kcd_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
    _ = kcd_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
    _ = kcd_curl_setopt_string(h, CURLOPT_USERAGENT, userAgent)
    _ = kcd_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
    _ = kcd_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
    errorBuffer.withUnsafeMutableBytes { _ = kcd_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, $0.baseAddress) }

    switch request.method {
    case "GET": _ = kcd_curl_setopt_long(h, CURLOPT_HTTPGET, 1)
    case "HEAD": _ = kcd_curl_setopt_long(h, CURLOPT_NOBODY, 1)
    default: _ = kcd_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method)
    }
    if let body = request.body {
      _ = kcd_curl_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
      body.withUnsafeBytes { raw in
        // COPYPOSTFIELDS copies: the Swift buffer only has to live for this call.
        _ = kcd_curl_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
      }
      if request.method == "GET" { _ = kcd_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, "GET") }
    }
    for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
    headerList = curl_slist_append(headerList, "Expect:")
    _ = kcd_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)

    try configureTLS(h, tls)

    _ = kcd_curl_setopt_pointer(h, CURLOPT_HEADERDATA, unmanaged.toOpaque())
    _ = kcd_curl_setopt_pointer(h, CURLOPT_WRITEDATA, unmanaged.toOpaque())
    _ = kcd_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, unmanaged.toOpaque())
    _ = kcd_curl_setopt_header_callback(h) { data, size, count, raw in
      let ctx = Unmanaged<Context>.fromOpaque(raw!).takeUnretainedValue()
      let n = size * count
      let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
      CurlTransfer.header(line, ctx)
      if ctx.headComplete, let onHead = ctx.onHead, ctx.status >= 200 {
        ctx.onHead = nil
        if !onHead(ctx.status, ctx.headers) { ctx.stopped = true; return 0 }
      }
      return n
    }
    _ = kcd_curl_setopt_write_callback(h) { data, size, count, raw in
      let ctx = Unmanaged<Context>.fromOpaque(raw!).takeUnretainedValue()
      let n = size * count
      ctx.lastData = monotonicSeconds()
      let bytes = Array(UnsafeRawBufferPointer(start: data, count: n))
      if let onData = ctx.onData {
        if !onData(bytes) { ctx.stopped = true; return kcd_curl_writefunc_error }
        return n
      }
      if ctx.body.count + n > ctx.limit { ctx.tooLarge = true; return kcd_curl_writefunc_error }
      ctx.body.append(contentsOf: bytes)
      return n
    }
    _ = kcd_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
    _ = kcd_curl_setopt_progress_callback(h) { raw, _, _, _, _ in
      let ctx = Unmanaged<Context>.fromOpaque(raw!).takeUnretainedValue()
      if let stop = ctx.shouldStop, stop() { ctx.stopped = true; return 1 }
      if ctx.cancellation?.isCancelled == true { ctx.stopped = true; return 1 }
      if ctx.idleTimeout > 0 && monotonicSeconds() - ctx.lastData > ctx.idleTimeout { return 1 }
      return 0
    }

    let rc = run(easy: h, multi: multi, context)
    if rc != CURLE_OK {
      let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let reason = detail.isEmpty ? String(cString: curl_easy_strerror(rc)) : detail
      let target = CurlTransfer.redacted(request.url)
      if context.tooLarge { throw HTTPClientError(.tooLarge, "response from \(target) is larger than \(request.maximumBodyBytes) bytes") }
      if context.stopped { throw HTTPClientError(.aborted, "transfer from \(target) stopped") }
      throw CurlTransfer.error(rc, "\(request.method) \(target): \(reason)", idle: request.idleTimeout > 0 && rc == CURLE_ABORTED_BY_CALLBACK)
    }
    var status = 0
    _ = kcd_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
    return HTTPClientResponse(status: status, headers: context.headers, body: context.body)
  }

  /// What `curl_easy_perform` does, on the handle's own multi handle so the wait can be chosen:
  /// `curl_easy_perform` wakes every second whatever happens, which for an idle watch is a
  /// wake-up a second for nothing. Here the wait is libcurl's next deadline (its time-outs),
  /// the stream's idle limit, and — only without a cancellation to wake it — one second, so
  /// `shouldStop` is still polled as often as before.
  static func run(easy: UnsafeMutableRawPointer, multi: UnsafeMutableRawPointer, _ context: Context) -> CURLcode {
    guard curl_multi_add_handle(multi, easy) == CURLM_OK else { return CURLE_FAILED_INIT }
    defer { _ = curl_multi_remove_handle(multi, easy) }
    if let cancellation = context.cancellation {
      guard cancellation.register(multi) else { context.stopped = true; return CURLE_ABORTED_BY_CALLBACK }
    }
    defer { context.cancellation?.unregister(multi) }
    while true {
      var running: Int32 = 0
      guard curl_multi_perform(multi, &running) == CURLM_OK else { return CURLE_OUT_OF_MEMORY }
      if running == 0 { break }
      var deadline = -1
      _ = curl_multi_timeout(multi, &deadline)
      guard curl_multi_poll(multi, nil, 0, Int32(waitMilliseconds(curlDeadline: deadline, context)), nil) == CURLM_OK else {
        return CURLE_OUT_OF_MEMORY
      }
    }
    var left: Int32 = 0
    while let message = curl_multi_info_read(multi, &left) {
      if message.pointee.msg == CURLMSG_DONE && message.pointee.easy_handle == easy { return message.pointee.data.result }
    }
    return CURLE_FAILED_INIT
  }

  /// How long `curl_multi_poll` may sleep: until libcurl's deadline (-1: none), the idle limit
  /// (the progress callback then ends the stream), and a second when nothing else can wake it.
  static func waitMilliseconds(curlDeadline: Int, _ context: Context, now: Double = monotonicSeconds()) -> Int {
    var wait = context.cancellation == nil ? 1000 : 3_600_000
    if curlDeadline >= 0 { wait = min(wait, curlDeadline) }
    if context.idleTimeout > 0 && context.idleTimeout.isFinite {
      let left = context.idleTimeout - (now - context.lastData)
      wait = min(wait, max(0, Int((left * 1000).rounded(.up)) + 1))
    }
    return max(0, wait)
  }

  static func configureTLS(_ h: UnsafeMutableRawPointer, _ tls: TLSClientOptions) throws(HTTPClientError) {
    if tls.insecureSkipVerify {
      _ = kcd_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 0)
      _ = kcd_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 0)
    } else {
      _ = kcd_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
      _ = kcd_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
    }
    if let ca = tls.caPEM { ca.withUnsafeBytes { _ = kcd_curl_setopt_blob(h, CURLOPT_CAINFO_BLOB, $0.baseAddress!, ca.count) } }
    if let file = tls.caFile { _ = kcd_curl_setopt_string(h, CURLOPT_CAINFO, file) }
    if let cert = tls.clientCertificatePEM {
      _ = kcd_curl_setopt_string(h, CURLOPT_SSLCERTTYPE, "PEM")
      cert.withUnsafeBytes { _ = kcd_curl_setopt_blob(h, CURLOPT_SSLCERT_BLOB, $0.baseAddress!, cert.count) }
    }
    if let key = tls.clientKeyPEM {
      _ = kcd_curl_setopt_string(h, CURLOPT_SSLKEYTYPE, "PEM")
      key.withUnsafeBytes { _ = kcd_curl_setopt_blob(h, CURLOPT_SSLKEY_BLOB, $0.baseAddress!, key.count) }
    }
    if let file = tls.clientCertificateFile { _ = kcd_curl_setopt_string(h, CURLOPT_SSLCERT, file) }
    if let file = tls.clientKeyFile { _ = kcd_curl_setopt_string(h, CURLOPT_SSLKEY, file) }
  }

  static func header(_ line: String, _ ctx: Context) {
    if line.hasPrefix("HTTP/") {
      ctx.headers = HTTPHeaders()
      ctx.headComplete = false
      let parts = line.split(separator: " ")
      ctx.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
      return
    }
    // CRLF is a single Character in Swift: strip line ends on the scalar level.
    var scalars = line.unicodeScalars[...]
    while let last = scalars.last, last == "\r" || last == "\n" { scalars = scalars.dropLast() }
    let trimmed = String(String.UnicodeScalarView(scalars)).trimmingSpaces()
    if trimmed.isEmpty {
      ctx.headComplete = true
      return
    }
    if let colon = trimmed.firstIndex(of: ":") {
      ctx.headers.add(String(trimmed[..<colon]), String(trimmed[trimmed.index(after: colon)...]).trimmingSpaces())
    }
  }

  static func error(_ rc: CURLcode, _ message: String, idle: Bool) -> HTTPClientError {
    switch rc {
    case CURLE_OPERATION_TIMEDOUT: return HTTPClientError(.timeout, message)
    case CURLE_ABORTED_BY_CALLBACK: return HTTPClientError(idle ? .timeout : .aborted, idle ? message + " (no data within the idle limit)" : message)
    case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return HTTPClientError(.connect, message)
    case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
      CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_INITFAILED:
      return HTTPClientError(.tls, message)
    case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return HTTPClientError(.invalidRequest, message)
    default: return HTTPClientError(.transport, message)
    }
  }

  /// The URL without query string or user info, for messages (queries can carry tokens).
  static func redacted(_ url: String) -> String {
    var s = url
    if let q = s.firstIndex(of: "?") { s = String(s[..<q]) }
    let parts = s.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
    if parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty, let at = parts[2].lastIndex(of: "@") {
      var rebuilt = [parts[0], parts[1], parts[2][parts[2].index(after: at)...]]
      if parts.count == 4 { rebuilt.append(parts[3]) }
      s = rebuilt.joined(separator: "/")
    }
    return s
  }
}
