#include "crf.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "parallel.hpp"

namespace rnnsk {

namespace {

// Every recursion runs in double whatever T is: a sentence's log Z sums
// hundreds of terms, and the marginals are differences of such sums.
using Real = double;
constexpr Real kNegInf = -std::numeric_limits<Real>::infinity();

// An exp or log of a double costs about as much as 512 multiply-adds of the
// GEMM kernels that kMinParallelWork counts (some 7 ns against 0.1 ms / 2^23).
constexpr long kTranscendentalCost = 512;

template <class T>
void check_batch(const CrfBatch<T>& b) {
  if (b.batch < 0) throw std::invalid_argument("batch must be non-negative");
  if (b.steps < 1) throw std::invalid_argument("steps must be at least 1");
  if (b.labels < 1) throw std::invalid_argument("the CRF needs at least one label");
  if (b.batch == 0) return;
  if (!b.emissions || !b.lengths || !b.transitions || !b.start || !b.end)
    throw std::invalid_argument("CRF buffers must not be null");
  for (int i = 0; i < b.batch; ++i)
    if (b.lengths[i] < 1 || b.lengths[i] > b.steps)
      throw std::invalid_argument("length of sequence " + std::to_string(i) + " is " +
                                  std::to_string(b.lengths[i]) + ", outside [1, " +
                                  std::to_string(b.steps) + "]");
  // NaN would otherwise surface as "no labelling is allowed"; -infinity is a
  // forbidden transition, start or end, but +infinity has no meaning.
  const auto bad = [](T x) { return std::isnan(x) || x == std::numeric_limits<T>::infinity(); };
  for (int i = 0; i < b.batch; ++i)
    for (long r = 0; r < b.lengths[i] * static_cast<long>(b.labels); ++r)
      if (bad(b.emissions[static_cast<long>(i) * b.steps * b.labels + r]))
        throw std::invalid_argument("the emissions of sequence " + std::to_string(i) +
                                    " hold NaN or +infinity");
  for (long p = 0; p < static_cast<long>(b.labels) * b.labels; ++p)
    if (bad(b.transitions[p]))
      throw std::invalid_argument("the transition scores hold NaN or +infinity");
  for (int k = 0; k < b.labels; ++k)
    if (bad(b.start[k]) || bad(b.end[k]))
      throw std::invalid_argument("the start or end scores hold NaN or +infinity");
}

std::domain_error nothing_allowed(int sequence) {
  return std::domain_error("no labelling of sequence " + std::to_string(sequence) +
                           " is allowed: the forbidden transitions, starts and ends exclude "
                           "every one");
}

// The transition scores in double, with their exponentials scaled by the
// largest entry of each column (for the forward recursion, which sums over
// the previous label) and of each row (backward, which sums over the next).
// A recursion step then costs one exp per label instead of one per pair.
struct ScaledTransitions {
  int labels;
  std::vector<Real> scores;       // A[i, j]
  std::vector<Real> column_exp;   // exp(A[i, j] - column_max[j])
  std::vector<Real> column_max;   // 0 for a column of -infinity (its exps are all 0)
  std::vector<Real> row_exp;      // exp(A[i, j] - row_max[i])
  std::vector<Real> row_max;

  template <class T>
  explicit ScaledTransitions(const CrfBatch<T>& b)
      : labels(b.labels),
        scores(b.transitions, b.transitions + static_cast<long>(b.labels) * b.labels),
        column_exp(scores.size()), column_max(labels, kNegInf),
        row_exp(scores.size()), row_max(labels, kNegInf) {
    for (int i = 0; i < labels; ++i)
      for (int j = 0; j < labels; ++j) {
        const Real a = at(i, j);
        if (a > column_max[j]) column_max[j] = a;
        if (a > row_max[i]) row_max[i] = a;
      }
    for (int k = 0; k < labels; ++k) {
      if (column_max[k] == kNegInf) column_max[k] = 0;
      if (row_max[k] == kNegInf) row_max[k] = 0;
    }
    for (int i = 0; i < labels; ++i)
      for (int j = 0; j < labels; ++j) {
        column_exp[i * labels + j] = std::exp(at(i, j) - column_max[j]);
        row_exp[i * labels + j] = std::exp(at(i, j) - row_max[i]);
      }
  }

  Real at(int i, int j) const { return scores[static_cast<long>(i) * labels + j]; }
};

// The largest of x[0..n), or -infinity.
inline Real maximum(const Real* x, int n) {
  Real m = kNegInf;
  for (int k = 0; k < n; ++k)
    if (x[k] > m) m = x[k];
  return m;
}

// A scaled sum (of exponentials each at most 1) below this may have lost its
// largest terms to underflow (doubles go subnormal near 1e-308): where the
// scores are hundreds apart, as only loaded or diverged weights make them,
// such a sum is recomputed in the exponent.
constexpr Real kLeastTrustedSum = 1e-290;

// log(sum_k exp(x[k] + y[k * stride])), exactly in the exponent; -infinity
// when every term is.
inline Real log_sum_exp(const Real* x, const Real* y, long stride, int n) {
  Real m = kNegInf;
  for (int k = 0; k < n; ++k) m = std::max(m, x[k] + y[k * stride]);
  if (m == kNegInf) return kNegInf;
  Real sum = 0;
  for (int k = 0; k < n; ++k) sum += std::exp(x[k] + y[k * stride] - m);
  return m + std::log(sum);
}

// One sequence's view of the batch and its recursions.
template <class T>
struct Sequence {
  const CrfBatch<T>& b;
  const ScaledTransitions& A;
  int index;
  int length;
  const T* s;  // (length, labels) emissions of this sequence

  Sequence(const CrfBatch<T>& batch, const ScaledTransitions& transitions, int i)
      : b(batch), A(transitions), index(i), length(static_cast<int>(batch.lengths[i])),
        s(batch.emissions + static_cast<long>(i) * batch.steps * batch.labels) {}

  Real emission(int t, int k) const { return s[static_cast<long>(t) * b.labels + k]; }

  // sum_i u[i] * exp(A[i, k] - column_max[k]): the forward recursion's scaled
  // sum into label k from the previous step's u = exp(alpha - max alpha).
  Real column_sum(const Real* u, int k) const {
    const int K = b.labels;
    Real sum = 0;
    for (int i = 0; i < K; ++i) sum += u[i] * A.column_exp[static_cast<long>(i) * K + k];
    return sum;
  }

  // alpha (length, labels); returns log Z. scaled: labels of scratch.
  Real forward(Real* alpha, Real* scaled) const {
    const int K = b.labels;
    for (int k = 0; k < K; ++k) alpha[k] = b.start[k] + emission(0, k);
    for (int t = 1; t < length; ++t) {
      const Real* previous = alpha + static_cast<long>(t - 1) * K;
      Real* current = alpha + static_cast<long>(t) * K;
      const Real m = maximum(previous, K);
      if (m == kNegInf) {
        for (int k = 0; k < K; ++k) current[k] = kNegInf;
        continue;
      }
      for (int i = 0; i < K; ++i) scaled[i] = std::exp(previous[i] - m);
      for (int k = 0; k < K; ++k) {
        const Real sum = column_sum(scaled, k);
        current[k] = emission(t, k) + (sum >= kLeastTrustedSum
                                           ? m + A.column_max[k] + std::log(sum)
                                           : log_sum_exp(previous, &A.scores[k], K, K));
      }
    }
    const Real* last = alpha + static_cast<long>(length - 1) * K;
    for (int k = 0; k < K; ++k) scaled[k] = last[k] + b.end[k];
    const Real m = maximum(scaled, K);
    if (m == kNegInf) throw nothing_allowed(index);
    Real sum = 0;
    for (int k = 0; k < K; ++k) sum += std::exp(scaled[k] - m);
    return m + std::log(sum);
  }

  // beta (length, labels): log-sum of the scores of every continuation.
  // scaled: 2 * labels of scratch.
  void backward(Real* beta, Real* scaled) const {
    const int K = b.labels;
    Real* last = beta + static_cast<long>(length - 1) * K;
    for (int k = 0; k < K; ++k) last[k] = b.end[k];
    for (int t = length - 2; t >= 0; --t) {
      const Real* next = beta + static_cast<long>(t + 1) * K;
      Real* current = beta + static_cast<long>(t) * K;
      Real* ahead = scaled + K;  // the scores of each next label, kept for exact sums
      for (int j = 0; j < K; ++j) ahead[j] = emission(t + 1, j) + next[j];
      const Real m = maximum(ahead, K);
      if (m == kNegInf) {
        for (int i = 0; i < K; ++i) current[i] = kNegInf;
        continue;
      }
      for (int j = 0; j < K; ++j) scaled[j] = std::exp(ahead[j] - m);
      for (int i = 0; i < K; ++i) {
        Real sum = 0;
        for (int j = 0; j < K; ++j) sum += A.row_exp[i * K + j] * scaled[j];
        current[i] = sum >= kLeastTrustedSum ? m + A.row_max[i] + std::log(sum)
                                             : log_sum_exp(ahead, &A.scores[i * K], 1, K);
      }
    }
  }

  // S(tags): -infinity when the labelling is forbidden.
  Real score(const int64_t* tags) const {
    Real total = b.start[tags[0]] + b.end[tags[length - 1]];
    for (int t = 0; t < length; ++t) total += emission(t, static_cast<int>(tags[t]));
    for (int t = 1; t < length; ++t)
      total += A.at(static_cast<int>(tags[t - 1]), static_cast<int>(tags[t]));
    return total;
  }
};

template <class T>
void check_tags(const CrfBatch<T>& b, const int64_t* tags) {
  for (int i = 0; i < b.batch; ++i) {
    const int64_t* row = tags + static_cast<long>(i) * b.steps;
    for (int t = 0; t < b.lengths[i]; ++t)
      if (row[t] < 0 || row[t] >= b.labels)
        throw std::invalid_argument("label " + std::to_string(row[t]) + " at step " +
                                    std::to_string(t) + " of sequence " + std::to_string(i) +
                                    " is outside [0, " + std::to_string(b.labels) + ")");
  }
}

// Adds to d_a (K, K) the marginals P(y_{t-1} = i, y_t = j) =
// exp(alpha_{t-1}[i] + A[i, j] + s[t, j] + beta_t[j] - log Z) of one step t >= 1,
// given the step's label marginals p_t. Each is p_t[j] times the share of label
// i in the forward sum into j: u[i] * column_exp[i, j] / S[j], with u[i] =
// exp(alpha_{t-1}[i] - max alpha_{t-1}) and S[j] = sum_i u[i] * column_exp[i, j]
// (the scaling of the forward recursion, under which the scales cancel). That
// is K exponentials and 2K^2 multiply-adds a step instead of K^2 exponentials,
// most of a CRF's training time at tens of labels, and every term is at most
// p_t[j] whatever the magnitude of the scores. A column whose sum may have lost
// its largest terms to underflow (scores hundreds apart) is summed pair by
// pair in the exponent instead. Forbidden pairs (column_exp 0, A -infinity)
// get nothing.
template <class T>
void add_pair_marginals(const Sequence<T>& seq, const Real* previous, int t, const Real* beta_t,
                        Real log_z, const Real* marginals, Real* scratch, Real* d_a) {
  const int K = seq.b.labels;
  const ScaledTransitions& A = seq.A;
  const Real m = maximum(previous, K);
  if (m == kNegInf) return;  // no labelling reaches step t - 1
  Real* u = scratch;
  Real* share = scratch + K;  // p_t[j] / S[j]; 0 where S[j] is not trusted
  for (int i = 0; i < K; ++i) u[i] = std::exp(previous[i] - m);
  bool exact_columns = false;
  for (int j = 0; j < K; ++j) {
    const Real sum = seq.column_sum(u, j);
    const bool trusted = sum >= kLeastTrustedSum;
    share[j] = trusted ? marginals[j] / sum : 0;
    exact_columns = exact_columns || (!trusted && marginals[j] > 0);
  }
  for (int i = 0; i < K; ++i) {
    Real* row = d_a + static_cast<long>(i) * K;
    const Real* column_exp = A.column_exp.data() + static_cast<long>(i) * K;
    for (int j = 0; j < K; ++j) row[j] += u[i] * column_exp[j] * share[j];
  }
  if (!exact_columns) return;
  for (int j = 0; j < K; ++j) {
    if (share[j] != 0 || marginals[j] == 0) continue;
    const Real rest = seq.emission(t, j) + beta_t[j] - log_z;
    for (int i = 0; i < K; ++i) d_a[static_cast<long>(i) * K + j] +=
        std::exp(previous[i] + A.at(i, j) + rest);
  }
}

// Calls body(first, last, alpha, beta, scratch) on shares of the sequences, with
// alpha and beta for the longest sequence and 3 * labels of scratch.
template <class T, class Body>
void over_sequences(const CrfBatch<T>& b, Body&& body) {
  long rows = 0;
  for (int i = 0; i < b.batch; ++i) rows += b.lengths[i];
  // A step of forward, backward and gradient: some 8K exponentials or logs and
  // 4K^2 multiply-adds.
  const long per_row = 8L * b.labels * kTranscendentalCost + 4L * b.labels * b.labels;
  const int shares = shares_for(b.batch, b.n_threads, rows * per_row);
  parallel_over(even_bounds(b.batch, shares), [&](int first, int last) {
    std::vector<Real> alpha(static_cast<long>(b.steps) * b.labels);
    std::vector<Real> beta(alpha.size());
    std::vector<Real> scaled(3L * b.labels);
    body(first, last, alpha.data(), beta.data(), scaled.data());
  });
}

}  // namespace

template <class T>
void crf_negative_log_likelihood(const CrfBatch<T>& b, const int64_t* tags, T* nll,
                                 const CrfGradients<T>* gradients) {
  check_batch(b);
  if (b.batch == 0) return;
  if (!tags || !nll) throw std::invalid_argument("tags and nll must not be null");
  check_tags(b, tags);
  const int K = b.labels;
  const long pairs = static_cast<long>(K) * K;
  const long per_sequence = pairs + 2L * K;  // transitions, start, end
  if (gradients && (!gradients->scale || !gradients->emissions || !gradients->transitions ||
                    !gradients->start || !gradients->end))
    throw std::invalid_argument("CRF gradient buffers must not be null");
  // Each sequence's share of the parameter gradients, summed in sequence order
  // below so that the thread count does not change the result.
  std::vector<Real> partial(gradients ? b.batch * per_sequence : 0);
  const ScaledTransitions A(b);
  std::vector<int> failed(b.batch, 0);

  over_sequences(b, [&](int first, int last, Real* alpha, Real* beta, Real* scaled) {
    for (int i = first; i < last; ++i) {
      const Sequence<T> seq(b, A, i);
      const int64_t* y = tags + static_cast<long>(i) * b.steps;
      Real log_z;
      try {
        log_z = seq.forward(alpha, scaled);
      } catch (const std::domain_error&) {
        failed[i] = 1;  // thrown after the parallel region
        continue;
      }
      const Real gold = seq.score(y);
      nll[i] = static_cast<T>(gold == kNegInf ? std::numeric_limits<Real>::infinity()
                                              : log_z - gold);
      if (!gradients) continue;
      seq.backward(beta, scaled);
      const Real weight = gradients->scale[i];
      T* d_s = gradients->emissions + static_cast<long>(i) * b.steps * K;
      Real* d_a = partial.data() + i * per_sequence;
      Real* d_start = d_a + pairs;
      Real* d_end = d_start + K;
      for (long p = 0; p < per_sequence; ++p) d_a[p] = 0;
      for (int t = 0; t < seq.length; ++t) {
        const Real* a = alpha + static_cast<long>(t) * K;
        const Real* bt = beta + static_cast<long>(t) * K;
        Real* marginals = scaled + 2 * K;
        for (int k = 0; k < K; ++k) {
          marginals[k] = std::exp(a[k] + bt[k] - log_z);
          const Real g = marginals[k] - (y[t] == k ? 1 : 0);
          d_s[static_cast<long>(t) * K + k] = static_cast<T>(weight * g);
          if (t == 0) d_start[k] = g;
          if (t == seq.length - 1) d_end[k] = g;
        }
        if (t == 0) continue;
        add_pair_marginals(seq, alpha + static_cast<long>(t - 1) * K, t, bt, log_z, marginals,
                           scaled, d_a);
        d_a[y[t - 1] * K + y[t]] -= 1;
      }
      for (long p = 0; p < per_sequence; ++p) d_a[p] *= weight;
      for (int t = seq.length; t < b.steps; ++t)
        for (int k = 0; k < K; ++k) d_s[static_cast<long>(t) * K + k] = 0;
    }
  });
  for (int i = 0; i < b.batch; ++i)
    if (failed[i]) throw nothing_allowed(i);
  if (!gradients) return;
  std::vector<Real> total(per_sequence, 0);
  for (int i = 0; i < b.batch; ++i)
    for (long p = 0; p < per_sequence; ++p) total[p] += partial[i * per_sequence + p];
  for (long p = 0; p < pairs; ++p)
    gradients->transitions[p] = static_cast<T>(A.scores[p] == kNegInf ? 0 : total[p]);
  for (int k = 0; k < K; ++k) {
    // Forbidden starts and ends are never taken: their marginals are 0.
    gradients->start[k] = static_cast<T>(b.start[k] == kNegInf ? 0 : total[pairs + k]);
    gradients->end[k] = static_cast<T>(b.end[k] == kNegInf ? 0 : total[pairs + K + k]);
  }
}

template <class T>
void crf_marginals(const CrfBatch<T>& b, T* marginals) {
  check_batch(b);
  if (b.batch == 0) return;
  if (!marginals) throw std::invalid_argument("marginals must not be null");
  const int K = b.labels;
  const ScaledTransitions A(b);
  std::vector<int> failed(b.batch, 0);
  over_sequences(b, [&](int first, int last, Real* alpha, Real* beta, Real* scaled) {
    for (int i = first; i < last; ++i) {
      const Sequence<T> seq(b, A, i);
      try {
        seq.forward(alpha, scaled);
      } catch (const std::domain_error&) {
        failed[i] = 1;
        continue;
      }
      seq.backward(beta, scaled);
      T* out = marginals + static_cast<long>(i) * b.steps * K;
      // Each step normalized by its own sum rather than by log Z: the same in
      // exact arithmetic (alpha + beta of every step sums to Z), but rows then
      // sum to 1 even where scores of huge magnitude (1e20) leave rounding
      // errors far above 1 between log Z and alpha + beta (the values are then
      // approximate: double precision keeps no O(1) difference at 1e20).
      for (long t = 0; t < seq.length; ++t) {
        for (int k = 0; k < K; ++k) scaled[k] = alpha[t * K + k] + beta[t * K + k];
        const Real top = maximum(scaled, K);
        Real total = 0;
        for (int k = 0; k < K; ++k) total += (scaled[k] = std::exp(scaled[k] - top));
        for (int k = 0; k < K; ++k) out[t * K + k] = static_cast<T>(scaled[k] / total);
      }
      for (long r = static_cast<long>(seq.length) * K; r < static_cast<long>(b.steps) * K; ++r)
        out[r] = 0;
    }
  });
  for (int i = 0; i < b.batch; ++i)
    if (failed[i]) throw nothing_allowed(i);
}

template <class T>
void crf_viterbi(const CrfBatch<T>& b, int64_t* tags, T* best_score) {
  check_batch(b);
  if (b.batch == 0) return;
  if (!tags) throw std::invalid_argument("tags must not be null");
  const int K = b.labels;
  const ScaledTransitions A(b);
  std::vector<int> failed(b.batch, 0);
  over_sequences(b, [&](int first, int last, Real* delta, Real*, Real*) {
    std::vector<int> pointer(static_cast<long>(b.steps) * K);
    for (int i = first; i < last; ++i) {
      const Sequence<T> seq(b, A, i);
      for (int k = 0; k < K; ++k) delta[k] = b.start[k] + seq.emission(0, k);
      for (int t = 1; t < seq.length; ++t) {
        const Real* previous = delta + static_cast<long>(t - 1) * K;
        for (int k = 0; k < K; ++k) {
          // Strictly greater: ties keep the lowest previous label.
          Real best = kNegInf;
          int from = 0;
          for (int j = 0; j < K; ++j) {
            const Real candidate = previous[j] + A.at(j, k);
            if (candidate > best) {
              best = candidate;
              from = j;
            }
          }
          delta[static_cast<long>(t) * K + k] = best + seq.emission(t, k);
          pointer[static_cast<long>(t) * K + k] = from;
        }
      }
      const Real* final_step = delta + static_cast<long>(seq.length - 1) * K;
      Real best = kNegInf;
      int label = 0;
      for (int k = 0; k < K; ++k)
        if (final_step[k] + b.end[k] > best) {
          best = final_step[k] + b.end[k];
          label = k;
        }
      if (best == kNegInf) {
        failed[i] = 1;
        continue;
      }
      int64_t* out = tags + static_cast<long>(i) * b.steps;
      for (int t = seq.length - 1; t >= 0; --t) {
        out[t] = label;
        label = pointer[static_cast<long>(t) * K + label];
      }
      for (int t = seq.length; t < b.steps; ++t) out[t] = -1;
      if (best_score) best_score[i] = static_cast<T>(best);
    }
  });
  for (int i = 0; i < b.batch; ++i)
    if (failed[i]) throw nothing_allowed(i);
}

template void crf_negative_log_likelihood<float>(const CrfBatch<float>&, const int64_t*, float*,
                                                 const CrfGradients<float>*);
template void crf_negative_log_likelihood<double>(const CrfBatch<double>&, const int64_t*,
                                                  double*, const CrfGradients<double>*);
template void crf_marginals<float>(const CrfBatch<float>&, float*);
template void crf_marginals<double>(const CrfBatch<double>&, double*);
template void crf_viterbi<float>(const CrfBatch<float>&, int64_t*, float*);
template void crf_viterbi<double>(const CrfBatch<double>&, int64_t*, double*);

}  // namespace rnnsk
