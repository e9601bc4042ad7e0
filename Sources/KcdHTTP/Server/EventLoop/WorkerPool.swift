#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Threads for the work a loop must not do itself (handlers that block). Threads start on
/// demand up to a cap and are reused; one idle for `idleExit` seconds ends. A queue longer than
/// `maximumWaiting` refuses new work, so an overloaded server answers 503 at once instead of
/// letting requests age in a queue.
final class WorkerPool: @unchecked Sendable {
  typealias Job = @Sendable () -> Void

  let maximumThreads: Int
  let maximumWaiting: Int
  let idleExit: Double
  let threadName: String
  // pthread primitives rather than Mutex: workers need a condition variable with a timeout.
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private let condition: UnsafeMutablePointer<pthread_cond_t>
  // Guarded by mutex.
  private var jobs: [Job?] = []
  private var head = 0
  private var idle = 0
  private var threads = 0
  private var stopping = false

  init(maximumThreads: Int, maximumWaiting: Int, idleExit: Double = 5, threadName: String) {
    self.maximumThreads = max(1, maximumThreads)
    self.maximumWaiting = max(0, maximumWaiting)
    self.idleExit = idleExit
    self.threadName = threadName
    mutex = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
    condition = .allocate(capacity: 1)
    var attributes = pthread_condattr_t()
    pthread_condattr_init(&attributes)
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
    pthread_cond_init(condition, &attributes)
    pthread_condattr_destroy(&attributes)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  /// Threads alive now (busy or idle).
  var threadCount: Int { locked { threads } }

  /// False when the queue is full (or no thread could be started): the caller answers 503.
  func submit(_ job: @escaping Job) -> Bool {
    pthread_mutex_lock(mutex)
    let waiting = jobs.count - head
    // Full means: every thread is busy and `maximumWaiting` jobs already wait for one.
    if waiting >= idle + maximumWaiting && threads >= maximumThreads {
      pthread_mutex_unlock(mutex)
      return false
    }
    jobs.append(job)
    let spawn = waiting + 1 > idle && threads < maximumThreads
    if spawn { threads += 1 }
    if idle > 0 { pthread_cond_signal(condition) }
    pthread_mutex_unlock(mutex)
    guard spawn else { return true }
    if Threads.spawn({ [self] in work() }) { return true }
    // No thread (resource limits): if nobody else can run the job, take it back.
    pthread_mutex_lock(mutex)
    threads -= 1
    if threads == 0, jobs.count > head {
      jobs.removeLast()
      pthread_mutex_unlock(mutex)
      return false
    }
    pthread_mutex_unlock(mutex)
    return true
  }

  /// Idle threads end now, busy ones after the queue is empty.
  func stop() {
    locked {
      stopping = true
      pthread_cond_broadcast(condition)
    }
  }

  private func work() {
    LinuxCalls.shared?.nameCurrentThread(threadName)
    pthread_mutex_lock(mutex)
    while true {
      if head < jobs.count {
        let job = jobs[head]!
        jobs[head] = nil
        head += 1
        if head == jobs.count || head > 1024 { jobs.removeFirst(head); head = 0 }
        pthread_mutex_unlock(mutex)
        job()
        pthread_mutex_lock(mutex)
        continue
      }
      if stopping { break }
      idle += 1
      let timedOut = waitForWork()
      idle -= 1
      if timedOut && head == jobs.count && !stopping { break }
    }
    threads -= 1
    pthread_mutex_unlock(mutex)
  }

  /// Waits on the condition for up to `idleExit` seconds; true when the time ran out.
  private func waitForWork() -> Bool {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let whole = Int(idleExit)
    var deadline = timespec(tv_sec: now.tv_sec + whole, tv_nsec: now.tv_nsec + Int((idleExit - Double(whole)) * 1e9))
    if deadline.tv_nsec >= 1_000_000_000 {
      deadline.tv_sec += 1
      deadline.tv_nsec -= 1_000_000_000
    }
    return pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT
  }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }
}
