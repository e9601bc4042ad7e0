/// Thompson-NFA simulation (Pike VM): all threads advance together over the input, at most
/// one per instruction, so a run costs O(program × input) however ambiguous the pattern is.
/// Threads stay in priority order, which yields leftmost-first (Perl/RE2) captures.
/// Works on raw pointers into one allocation: debug builds of array code were 5× slower.
struct PikeVM: ~Copyable {
  private let code: UnsafePointer<Instruction>
  /// Nil only when the program has no `set` instruction.
  private let sets: UnsafePointer<ScalarSet>?
  /// Capture slots tracked per thread; 0 when only a yes/no answer is needed.
  private let slotCount: Int
  private let memory: UnsafeMutablePointer<Int>
  /// The lists for the current and the next input position, swapped at each step.
  private let lists: (ThreadList, ThreadList)
  /// Explicit stack for following splits (recursion could be 20,000 frames deep). An entry
  /// `pc >= 0` means explore pc; `-1 - slot` above a value means restore that slot's value.
  private let stack: UnsafeMutablePointer<Int>
  /// Capture slots of the thread being followed, and of the best match so far.
  private let work: UnsafeMutablePointer<Int>
  private let best: UnsafeMutablePointer<Int>

  /// Runs `program` over UTF-8 `input`. `anchored` starts threads only at offset 0; `toEnd`
  /// accepts a match only at the end. Returns capture slots (UTF-8 offsets, -1 where a group
  /// did not take part), empty when not capturing, or nil when nothing matched.
  static func run(_ program: PatternProgram, capturing: Bool, _ input: UnsafeBufferPointer<UInt8>, anchored: Bool, toEnd: Bool) -> [Int]? {
    program.instructions.withUnsafeBufferPointer { code in
      program.sets.withUnsafeBufferPointer { sets in
        let machine = PikeVM(program, code: code.baseAddress!, sets: sets.baseAddress, capturing: capturing)
        return machine.run(input, anchored: anchored, toEnd: toEnd)
      }
    }
  }

  private init(_ program: PatternProgram, code: UnsafePointer<Instruction>, sets: UnsafePointer<ScalarSet>?, capturing: Bool) {
    let size = program.instructions.count
    let slotCount = capturing ? program.slotCount : 0
    let list = ThreadList.storage(programSize: size, threadCapacity: program.threadCapacity, slotCount: slotCount)
    let total = 2 * list + (3 * size + 1) + 2 * slotCount
    memory = .allocate(capacity: total)
    memory.initialize(repeating: 0, count: total)
    self.code = code
    self.sets = sets
    self.slotCount = slotCount
    lists = (
      ThreadList(memory: memory, programSize: size, threadCapacity: program.threadCapacity, slotCount: slotCount),
      ThreadList(memory: memory + list, programSize: size, threadCapacity: program.threadCapacity, slotCount: slotCount)
    )
    stack = memory + 2 * list
    work = stack + 3 * size + 1
    best = work + slotCount
  }

  deinit { memory.deallocate() }

  private func run(_ input: UnsafeBufferPointer<UInt8>, anchored: Bool, toEnd: Bool) -> [Int]? {
    var (current, next) = lists
    var matched = false
    var position = 0
    while true {
      if !matched, position == 0 || !anchored {
        work.update(repeating: -1, count: slotCount)
        addThread(to: &current, pc: 0, at: position, end: input.count)
      }
      if current.isEmpty, matched || anchored { break }  // no thread can ever match again
      let (scalar, width) = position < input.count ? PikeVM.decode(input, at: position) : (UInt32.max, 0)
      next.clear()
      threads: for thread in 0..<current.count {
        let pc = current.programCounter(of: thread)
        let accepted: Bool
        switch code[pc] {
        case .match:
          if toEnd, position != input.count { continue }
          current.copyCaptures(of: thread, into: best)
          matched = true
          break threads  // lower-priority threads can only give a less preferred match
        case .scalar(let value):
          accepted = value == scalar
        case .set(let index):
          accepted = sets![index].contains(scalar)
        default:
          accepted = false
        }
        if accepted {
          current.copyCaptures(of: thread, into: work)
          addThread(to: &next, pc: pc + 1, at: position + width, end: input.count)
        }
      }
      if position >= input.count { break }
      swap(&current, &next)
      position += width
    }
    return matched ? Array(UnsafeBufferPointer(start: best, count: slotCount)) : nil
  }

  /// Follows splits, jumps, saves and assertions from `pc` in priority order, adding a thread
  /// for each consuming or `match` instruction reached that the list does not hold yet.
  private func addThread(to list: inout ThreadList, pc start: Int, at position: Int, end: Int) {
    var top = 0
    stack[0] = start
    while top >= 0 {
      let pc = stack[top]
      top -= 1
      if pc < 0 {
        work[-1 - pc] = stack[top]
        top -= 1
        continue
      }
      guard list.visit(pc) else { continue }
      switch code[pc] {
      case .split(let first, let second):
        stack[top + 1] = second
        stack[top + 2] = first
        top += 2
      case .jump(let target):
        top += 1
        stack[top] = target
      case .save(let slot):
        if slot < slotCount {
          stack[top + 1] = work[slot]
          stack[top + 2] = -1 - slot
          top += 2
          work[slot] = position
        }
        top += 1
        stack[top] = pc + 1
      case .assertStart:
        if position == 0 { top += 1; stack[top] = pc + 1 }
      case .assertEnd:
        if position == end { top += 1; stack[top] = pc + 1 }
      case .scalar, .set, .match:
        list.append(pc, captures: work)
      }
    }
  }

  /// Decodes the scalar starting at `offset`; Swift guarantees its strings are valid UTF-8.
  static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (UInt32, Int) {
    let lead = UInt32(bytes[offset])
    if lead < 0x80 { return (lead, 1) }
    func continuation(_ index: Int) -> UInt32 { UInt32(bytes[offset + index]) & 0x3F }
    if lead < 0xE0 { return ((lead & 0x1F) << 6 | continuation(1), 2) }
    if lead < 0xF0 { return ((lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2), 3) }
    return ((lead & 0x07) << 18 | continuation(1) << 12 | continuation(2) << 6 | continuation(3), 4)
  }
}
