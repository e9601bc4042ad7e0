/// The runnable threads of one input position, in priority order, plus which instructions
/// were already reached there. A view onto memory owned by `PikeVM`, reused at every position,
/// so a match call allocates O(program size) once and nothing per character.
struct ThreadList {
  /// `visited[pc] == generation` when pc was reached at this position; bumping the
  /// generation empties the set without touching memory.
  private let visited: UnsafeMutablePointer<Int>
  /// Program counter of each thread; only consuming instructions and `match` hold threads.
  private let programCounters: UnsafeMutablePointer<Int>
  /// `slotCount` capture offsets per thread, thread after thread.
  private let slots: UnsafeMutablePointer<Int>
  private let slotCount: Int
  private(set) var count = 0
  private var generation = 1

  /// Ints of zeroed memory one list needs.
  static func storage(programSize: Int, threadCapacity: Int, slotCount: Int) -> Int {
    programSize + threadCapacity * (1 + slotCount)
  }

  init(memory: UnsafeMutablePointer<Int>, programSize: Int, threadCapacity: Int, slotCount: Int) {
    visited = memory
    programCounters = memory + programSize
    slots = memory + programSize + threadCapacity
    self.slotCount = slotCount
  }

  var isEmpty: Bool { count == 0 }

  mutating func clear() {
    generation += 1
    count = 0
  }

  /// Marks `pc` reached; false if it already was, so a lower-priority path there is dropped.
  func visit(_ pc: Int) -> Bool {
    if visited[pc] == generation { return false }
    visited[pc] = generation
    return true
  }

  func programCounter(of thread: Int) -> Int { programCounters[thread] }

  mutating func append(_ pc: Int, captures: UnsafePointer<Int>) {
    programCounters[count] = pc
    (slots + count * slotCount).update(from: captures, count: slotCount)
    count += 1
  }

  func copyCaptures(of thread: Int, into target: UnsafeMutablePointer<Int>) {
    target.update(from: slots + thread * slotCount, count: slotCount)
  }
}
