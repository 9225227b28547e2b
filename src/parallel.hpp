// Threading primitives of the core: a parallel loop over shares of work that
// stays serial when the work is too small to pay for waking threads, and a guard
// that flushes denormals.
#pragma once

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define RNNSK_HAVE_MXCSR 1
#endif

#include <vector>

#include "thread_pool.hpp"

namespace rnnsk {

// Saturated gates drive values into the denormal range, where x86 arithmetic is
// up to a hundred times slower. Flush-to-zero / denormals-are-zero for the
// lifetime of the guard, restoring the caller's mode afterwards.
class FlushDenormals {
 public:
  FlushDenormals() {
#ifdef RNNSK_HAVE_MXCSR
    saved_ = _mm_getcsr();
    _mm_setcsr(saved_ | 0x8040u);  // FTZ (bit 15) | DAZ (bit 6)
#endif
  }
  ~FlushDenormals() {
#ifdef RNNSK_HAVE_MXCSR
    _mm_setcsr(saved_);
#endif
  }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_ = 0;
};

// Below this many multiply-adds (about a tenth of a millisecond of one core) a
// piece of work runs on the calling thread: idle threads of the pool sleep, and
// waking them costs tens of microseconds in a virtual machine, more than a
// small region gains from a second thread. The threshold and its measurements
// are in docs/benchmarks.md.
constexpr long kMinParallelWork = 1L << 23;

// Calls body(bounds[s], bounds[s + 1]) for every share s, one share per thread
// of the core's pool (thread_pool.hpp). All parallelism of the core comes from
// here; BLAS is kept single-threaded by the caller, so no two thread pools ever
// compete for the cores.
template <class Body>
void parallel_over(const std::vector<int>& bounds, Body&& body) {
  const int shares = static_cast<int>(bounds.size()) - 1;
  if (shares > 1) {
    auto share = [&](int s) {
      FlushDenormals flush;
      body(bounds[s], bounds[s + 1]);
    };
    run_shares(
        shares, [](void* context, int s) { (*static_cast<decltype(share)*>(context))(s); },
        &share);
    return;
  }
  for (int share = 0; share < shares; ++share) body(bounds[share], bounds[share + 1]);
}

// How many threads `work` multiply-adds over `n` independent items deserve.
inline int shares_for(int n, int n_threads, long work) {
  if (work < kMinParallelWork) return 1;
  return n_threads < n ? n_threads : n;
}

// Below this many elements a copy runs on the calling thread: about 1 MiB of
// floats, a few tenths of a millisecond of memory traffic.
constexpr long kMinParallelCopy = 1L << 18;

// How many threads a copy of `elements` values split over `n` items deserves.
inline int shares_for_copy(int n, int n_threads, long elements) {
  return elements < kMinParallelCopy ? 1 : shares_for(n, n_threads, kMinParallelWork);
}

// Equal contiguous shares of [0, n).
inline std::vector<int> even_bounds(int n, int shares) {
  std::vector<int> bounds(shares + 1);
  for (int s = 0; s <= shares; ++s)
    bounds[s] = static_cast<int>(static_cast<long>(n) * s / shares);
  return bounds;
}

}  // namespace rnnsk
