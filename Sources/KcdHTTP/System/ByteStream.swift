/// What a connection reads from and writes to: a plain socket or a TLS session over one.
protocol ByteStream: AnyObject, Sendable {
  func waitReadable(until deadline: Double, slice: Double, stop: () -> Bool) throws(SocketError)
  func read(max: Int) throws(SocketError) -> [UInt8]
  func write(_ bytes: [UInt8]) throws(SocketError)
  func peerHasClosed() -> Bool
}

extension StreamSocket: ByteStream {}
