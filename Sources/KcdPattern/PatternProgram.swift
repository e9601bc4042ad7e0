/// One step of the matcher. Instructions that consume or check continue at the next one;
/// `split` lists its targets in priority order, which is what makes matching leftmost-first.
enum Instruction: Sendable, Hashable {
  /// Consume this scalar value.
  case scalar(UInt32)
  /// Consume a scalar that is in `PatternProgram.sets[index]`.
  case set(Int)
  /// Continue at both targets, preferring the first.
  case split(Int, Int)
  case jump(Int)
  /// Record the current input offset in capture slot `index` (2g = start, 2g+1 = end of group g).
  case save(Int)
  case assertStart
  case assertEnd
  case match
}

/// A compiled pattern: immutable and Sendable, built once and shared by every match call.
struct PatternProgram: Sendable, Hashable {
  let instructions: [Instruction]
  let sets: [ScalarSet]
  /// Number of capture groups, not counting the whole match (group 0).
  let captureCount: Int
  let captureNames: [String: Int]

  /// Most threads one input position can hold: one per consuming or `match` instruction.
  let threadCapacity: Int

  init(instructions: [Instruction], sets: [ScalarSet], captureCount: Int, captureNames: [String: Int]) {
    self.instructions = instructions
    self.sets = sets
    self.captureCount = captureCount
    self.captureNames = captureNames
    threadCapacity = instructions.count { instruction in
      switch instruction {
      case .scalar, .set, .match: true
      default: false
      }
    }
  }

  /// Two slots (start, end) per group including group 0.
  var slotCount: Int { 2 * (captureCount + 1) }
}
