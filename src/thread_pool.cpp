#include "thread_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace rnnsk {

namespace {

// Workers wait on a condition variable (asleep, no spinning) for the next call;
// worker i runs share i + 1. A call that finds the pool busy runs its shares
// on its own thread.
class ThreadPool {
 public:
  // True when the pool took the call; false when another call holds it.
  bool run(int shares, ShareFunction function, void* context) {
    std::unique_lock<std::mutex> own(busy_, std::try_to_lock);
    if (!own.owns_lock()) return false;
    std::exception_ptr failure;
    int helped = 0;  // shares 1..helped go to workers
    {
      std::lock_guard<std::mutex> lock(mutex_);
      grow(shares - 1);
      helped = std::min(shares - 1, static_cast<int>(workers_.size()));
      function_ = function;
      context_ = context;
      helped_ = helped;
      remaining_ = helped;
      failure_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    // The caller runs share 0 and whatever no worker could take.
    for (int share = 0; share < shares; share = share == 0 ? helped + 1 : share + 1) {
      try {
        function(context, share);
      } catch (...) {
        if (!failure) failure = std::current_exception();
      }
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return remaining_ == 0; });
    if (!failure) failure = failure_;
    lock.unlock();
    if (failure) std::rethrow_exception(failure);
    return true;
  }

 private:
  // Called with mutex_ held. A thread the system refuses to create is not an
  // error: its shares run on the caller.
  void grow(int wanted) {
    while (static_cast<int>(workers_.size()) < wanted) {
      const int index = static_cast<int>(workers_.size());
      try {
        workers_.emplace_back([this, index, seen = generation_] { work(index, seen); });
      } catch (const std::system_error&) {
        return;
      }
      workers_.back().detach();
    }
  }

  void work(int index, long seen) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      if (index >= helped_) continue;
      const ShareFunction function = function_;
      void* const context = context_;
      lock.unlock();
      std::exception_ptr failure;
      try {
        function(context, index + 1);
      } catch (...) {
        failure = std::current_exception();
      }
      lock.lock();
      if (failure && !failure_) failure_ = failure;
      if (--remaining_ == 0) done_.notify_one();
    }
  }

  std::mutex busy_;   // held for the whole of a call
  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;  // detached: they live as long as the process
  long generation_ = 0;               // counts calls
  ShareFunction function_ = nullptr;
  void* context_ = nullptr;
  int helped_ = 0;
  int remaining_ = 0;
  std::exception_ptr failure_;
};

// The pool is created at first use and never destroyed (its workers block
// until the process ends). A child of fork() has only the forking thread: it
// drops the parent's pool, whose workers and locks it did not inherit, and
// creates its own at first use. The dropped pools stay reachable here.
std::mutex pool_creation;
ThreadPool* current_pool = nullptr;
std::vector<ThreadPool*>* forked_away = nullptr;

void lock_creation() { pool_creation.lock(); }
void unlock_creation() { pool_creation.unlock(); }
void forget_parent_pool() {
  if (current_pool) {
    if (!forked_away) forked_away = new std::vector<ThreadPool*>;
    forked_away->push_back(current_pool);
    current_pool = nullptr;
  }
  pool_creation.unlock();
}

ThreadPool& pool() {
  std::lock_guard<std::mutex> lock(pool_creation);
  if (!current_pool) {
    static const bool registered =
        pthread_atfork(lock_creation, unlock_creation, forget_parent_pool) == 0;
    (void)registered;
    current_pool = new ThreadPool;
  }
  return *current_pool;
}

}  // namespace

void run_shares(int shares, ShareFunction function, void* context) {
  // A call from inside a share of this thread's own call must not wait for the
  // pool it holds.
  static thread_local bool holds_pool = false;
  if (shares > 1 && !holds_pool) {
    holds_pool = true;
    bool taken = false;
    try {
      taken = pool().run(shares, function, context);
    } catch (...) {
      holds_pool = false;
      throw;
    }
    holds_pool = false;
    if (taken) return;
  }
  for (int share = 0; share < shares; ++share) function(context, share);
}

}  // namespace rnnsk
