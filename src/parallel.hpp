// Threading primitives of the core: a parallel loop that stays serial when the
// work is too small to pay for waking threads, and a guard that flushes denormals.
#pragma once

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define RNNSK_HAVE_MXCSR 1
#endif

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

// Below this many scalar operations a loop runs on the calling thread.
constexpr long kMinParallelWork = 16384;

// Calls body(begin, end) on contiguous shares of [0, n), one per thread, or on the
// whole range at once when the work is too small to pay for waking threads.
template <class Body>
void parallel_ranges(int n, int n_threads, long work, Body&& body) {
#ifdef _OPENMP
  if (n_threads > 1 && n > 1 && work >= kMinParallelWork) {
    const int shares = n_threads < n ? n_threads : n;
#pragma omp parallel num_threads(shares)
    {
      FlushDenormals flush;
#pragma omp for schedule(static)
      for (int share = 0; share < shares; ++share)
        body(static_cast<int>(static_cast<long>(n) * share / shares),
             static_cast<int>(static_cast<long>(n) * (share + 1) / shares));
    }
    return;
  }
#else
  (void)n_threads;
  (void)work;
#endif
  body(0, n);
}

}  // namespace rnnsk
