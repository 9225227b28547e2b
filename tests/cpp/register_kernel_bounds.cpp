// The register kernel's products against a plain reference, with every operand
// ending exactly at a page followed by an inaccessible one: a read or write past
// the last element it may touch crashes the program. AddressSanitizer cannot
// catch this inside the kernel (it does not check AVX-512 masked loads and
// stores), hence guard pages. Built and run by .ci/kernel_bounds.sh.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "blas.hpp"
#include "packed_gemm.hpp"
#include "weight_gradient.hpp"

namespace {

using rnnsk::Gemm;

// Column-major ?gemm in double precision: the reference, and the BLAS the core
// falls back to where the kernel does not run.
void reference_gemm(char* trans_a, char* trans_b, int* m, int* n, int* k, float* alpha,
                    float* a, int* lda, float* b, int* ldb, float* beta, float* c, int* ldc) {
  for (int j = 0; j < *n; ++j)
    for (int i = 0; i < *m; ++i) {
      double sum = 0;
      for (int p = 0; p < *k; ++p) {
        const double a_ip = *trans_a == 'N' ? a[i + p * *lda] : a[p + i * *lda];
        const double b_pj = *trans_b == 'N' ? b[p + j * *ldb] : b[j + p * *ldb];
        sum += a_ip * b_pj;
      }
      const double old = *beta == 0.0f ? 0.0 : c[i + j * *ldc];
      c[i + j * *ldc] = static_cast<float>(*alpha * sum + *beta * old);
    }
}

// `count` floats that end exactly where an inaccessible page begins.
float* guarded(long count) {
  const long page = sysconf(_SC_PAGESIZE);
  const long bytes = std::max(count, 1L) * static_cast<long>(sizeof(float));
  const long pages = (bytes + page - 1) / page + 1;
  char* base = static_cast<char*>(mmap(nullptr, pages * page, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (base == MAP_FAILED || mprotect(base + (pages - 1) * page, page, PROT_NONE) != 0) {
    std::perror("guard page");
    std::exit(2);
  }
  return reinterpret_cast<float*>(base + (pages - 1) * page - bytes);
}

std::mt19937 generator(7);

float* random_matrix(long rows, long cols, long ld) {
  // Only the last row stops at `cols`, so nothing may be read past it.
  const long count = rows > 0 ? (rows - 1) * ld + cols : 0;
  float* m = guarded(count);
  std::normal_distribution<float> normal;
  for (long i = 0; i < count; ++i) m[i] = normal(generator);
  return m;
}

int failures = 0;

// c (rows x cols, ldc) against the row-major product expected, to float accuracy.
void check(const char* what, const float* c, const std::vector<double>& expected, long rows,
           long cols, long ldc, long depth) {
  double worst = 0;
  for (long i = 0; i < rows; ++i)
    for (long j = 0; j < cols; ++j)
      worst = std::max(worst, std::abs(c[i * ldc + j] - expected[i * cols + j]));
  if (worst > 1e-4 * std::sqrt(static_cast<double>(depth) + 1.0)) {
    std::printf("FAIL %s: largest error %g\n", what, worst);
    ++failures;
  }
}

// G = D^T X (+ G) through weight_gradient.
void weight_gradient_case(long rows, int n, int k, int pad, bool accumulate, int threads) {
  const int ldd = n + pad, ldx = k + pad, ldg = k + pad;
  const float* d = random_matrix(rows, n, ldd);
  const float* x = random_matrix(rows, k, ldx);
  float* g = random_matrix(n, k, ldg);
  std::vector<double> expected(static_cast<long>(n) * k);
  for (int u = 0; u < n; ++u)
    for (int j = 0; j < k; ++j) {
      double sum = accumulate ? g[static_cast<long>(u) * ldg + j] : 0.0;
      for (long r = 0; r < rows; ++r) sum += double(d[r * ldd + u]) * x[r * ldx + j];
      expected[static_cast<long>(u) * k + j] = sum;
    }
  // The column sums of D (a bias gradient), asked for in every other case.
  const bool sums_wanted = (rows + n + k) % 2 == 0;
  float* sums = sums_wanted ? guarded(n) : nullptr;
  std::vector<double> expected_sums(n, 0.0);
  for (long r = 0; r < rows; ++r)
    for (int u = 0; u < n; ++u) expected_sums[u] += d[r * ldd + u];
  rnnsk::weight_gradient(Gemm<float>(reference_gemm), threads, rows, n, k, d, ldd, x, ldx,
                         accumulate, g, ldg, sums);
  char what[128];
  std::snprintf(what, sizeof what, "weight_gradient rows %ld n %d k %d pad %d acc %d thr %d",
                rows, n, k, pad, accumulate, threads);
  check(what, g, expected, n, k, ldg, rows);
  if (sums_wanted) {
    std::snprintf(what, sizeof what, "column sums rows %ld n %d k %d pad %d thr %d", rows, n,
                  k, pad, threads);
    check(what, sums, expected_sums, 1, n, n, rows);
  }
}

// C = A B (+ C) through PackedMatrix, B given as (k x n) or its transpose.
void packed_case(int m, int k, int n, bool transposed, bool accumulate) {
  const int lda = k + 3, ldc = n + 5;
  const float* a = random_matrix(m, k, lda);
  const float* source = transposed ? random_matrix(n, k, k) : random_matrix(k, n, n);
  float* c = random_matrix(m, n, ldc);
  std::vector<double> expected(static_cast<long>(m) * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double sum = accumulate ? c[static_cast<long>(i) * ldc + j] : 0.0;
      for (int p = 0; p < k; ++p)
        sum += double(a[static_cast<long>(i) * lda + p]) *
               (transposed ? source[static_cast<long>(j) * k + p]
                           : source[static_cast<long>(p) * n + j]);
      expected[static_cast<long>(i) * n + j] = sum;
    }
  rnnsk::PackedMatrix<float> packed;
  packed.pack(source, k, n, transposed);
  packed.multiply(Gemm<float>(reference_gemm), m, a, lda, c, ldc, accumulate);
  char what[128];
  std::snprintf(what, sizeof what, "packed m %d k %d n %d trans %d acc %d", m, k, n,
                transposed, accumulate);
  check(what, c, expected, m, n, ldc, k);
}

}  // namespace

int main() {
  int cases = 0;
  for (long rows : {0L, 1L, 5L, 255L, 256L, 257L, 600L})
    for (int n : {1, 5, 6, 7, 37, 128})
      for (int k : {1, 15, 16, 17, 32, 33, 256, 257})
        for (bool accumulate : {false, true}) {
          weight_gradient_case(rows, n, k, (rows + n + k) % 3, accumulate, 1 + (k % 3));
          ++cases;
        }
  for (int m : {1, 5, 6, 7, 13})
    for (int k : {1, 37, 128})
      for (int n : {1, 16, 31, 32, 33, 148})
        for (bool transposed : {false, true})
          for (bool accumulate : {false, true}) {
            packed_case(m, k, n, transposed, accumulate);
            ++cases;
          }
  std::printf("%d cases, %d failures\n", cases, failures);
  return failures == 0 ? 0 : 1;
}
