/// Turns a `PatternNode` into a `PatternProgram`. The size is computed before anything is
/// emitted, so a pattern like `(a{1000}){1000}` is refused without building a huge program.
struct PatternCompiler {
  private var instructions: [Instruction] = []
  private var sets: [ScalarSet] = []
  private var setIndex: [ScalarSet: Int] = [:]

  /// Wraps the tree as `save 0, tree, save 1, match`, so group 0 records the whole match.
  static func compile(_ tree: PatternNode, captureCount: Int, captureNames: [String: Int]) throws(PatternError) -> PatternProgram {
    let limit = PatternLimits.instructions
    guard size(of: tree, limit: limit) + 3 <= limit else {
      throw PatternError(.programTooLarge, "pattern is too large: it compiles to more than \(limit) instructions (lower the repetition counts)")
    }
    var compiler = PatternCompiler()
    compiler.instructions.reserveCapacity(size(of: tree, limit: limit) + 3)
    compiler.append(.save(0))
    compiler.emit(tree)
    compiler.append(.save(1))
    compiler.append(.match)
    return PatternProgram(
      instructions: compiler.instructions, sets: compiler.sets,
      captureCount: captureCount, captureNames: captureNames)
  }

  /// Instruction count `emit` will produce, saturated just above `limit` so it cannot overflow.
  static func size(of node: PatternNode, limit: Int) -> Int {
    let count: Int
    switch node {
    case .empty:
      count = 0
    case .scalar, .set, .start, .end:
      count = 1
    case .group(let inner, let capture):
      count = size(of: inner, limit: limit) + (capture == nil ? 0 : 2)
    case .concatenation(let items):
      count = items.reduce(0) { min($0 + size(of: $1, limit: limit), limit + 1) }
    case .alternation(let branches):
      count = branches.reduce(2 * (branches.count - 1)) { min($0 + size(of: $1, limit: limit), limit + 1) }
    case .repetition(let inner, let low, let high, _):
      let body = size(of: inner, limit: limit)
      if let high {
        count = low * body + (high - low) * (body + 1)
      } else {
        count = low == 0 ? body + 2 : low * body + 1
      }
    }
    return min(count, limit + 1)
  }

  @discardableResult
  private mutating func append(_ instruction: Instruction) -> Int {
    instructions.append(instruction)
    return instructions.count - 1
  }

  private mutating func emit(_ node: PatternNode) {
    switch node {
    case .empty:
      break
    case .scalar(let value):
      append(.scalar(value))
    case .set(let set):
      append(.set(index(of: set)))
    case .start:
      append(.assertStart)
    case .end:
      append(.assertEnd)
    case .group(let inner, let capture):
      if let capture { append(.save(2 * capture)) }
      emit(inner)
      if let capture { append(.save(2 * capture + 1)) }
    case .concatenation(let items):
      for item in items { emit(item) }
    case .alternation(let branches):
      emitAlternation(branches)
    case .repetition(let inner, let low, let high, let greedy):
      emitRepetition(inner, min: low, max: high, greedy: greedy)
    }
  }

  /// `split b1, next; b1; jump end; next: split b2, …; bn; end:`
  private mutating func emitAlternation(_ branches: [PatternNode]) {
    var exits: [Int] = []
    for branch in branches.dropLast() {
      let split = append(.split(0, 0))
      emit(branch)
      exits.append(append(.jump(0)))
      instructions[split] = .split(split + 1, instructions.count)
    }
    emit(branches[branches.count - 1])
    for exit in exits { instructions[exit] = .jump(instructions.count) }
  }

  /// Expands counted repetition: `min` copies, then either a loop (unbounded) or
  /// `max - min` optional copies that all skip to the same end, i.e. `x(x(x)?)?)?`.
  private mutating func emitRepetition(_ inner: PatternNode, min: Int, max: Int?, greedy: Bool) {
    guard let max else {
      for _ in 0..<Swift.max(min - 1, 0) { emit(inner) }
      if min > 0 {
        emitPlus(inner, greedy: greedy)
      } else if inner.canMatchEmpty {
        // `x*` as `(x+)?` when x can match empty, so an empty iteration ends the loop with
        // the priority Perl gives it (as Go's regexp does, golang.org/issue/46123).
        let split = append(.split(0, 0))
        emitPlus(inner, greedy: greedy)
        instructions[split] = ordered(split + 1, instructions.count, greedy)
      } else {
        let split = append(.split(0, 0))
        emit(inner)
        append(.jump(split))
        instructions[split] = ordered(split + 1, instructions.count, greedy)
      }
      return
    }
    for _ in 0..<min { emit(inner) }
    var splits: [Int] = []
    for _ in 0..<(max - min) {
      splits.append(append(.split(0, 0)))
      emit(inner)
    }
    for split in splits { instructions[split] = ordered(split + 1, instructions.count, greedy) }
  }

  /// `loop: x; split loop, next`.
  private mutating func emitPlus(_ inner: PatternNode, greedy: Bool) {
    let loop = instructions.count
    emit(inner)
    let split = append(.split(0, 0))
    instructions[split] = ordered(loop, split + 1, greedy)
  }

  /// A split that prefers `again` (one more repetition) when greedy and `skip` when lazy.
  private func ordered(_ again: Int, _ skip: Int, _ greedy: Bool) -> Instruction {
    greedy ? .split(again, skip) : .split(skip, again)
  }

  private mutating func index(of set: ScalarSet) -> Int {
    if let index = setIndex[set] { return index }
    sets.append(set)
    setIndex[set] = sets.count - 1
    return sets.count - 1
  }
}
