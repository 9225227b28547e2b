// A linear-chain conditional random field over per-step label scores
// (Lafferty et al. 2001), as the output layer of a tagger: the exact negative
// log-likelihood by the forward algorithm, its gradients from forward-backward
// marginals, per-step marginals, and Viterbi decoding. The definitions are
// those of HEADS.md:
//   S(y)  = start[y_0] + sum_{t<L} s[t, y_t] + sum_{1<=t<L} A[y_{t-1}, y_t] + end[y_{L-1}]
//   log Z = logsumexp over all labellings of S.
// A transition, start or end score of -infinity forbids it; NaN or +infinity in
// any score (or in the emissions of real steps) is std::invalid_argument. Each
// sequence is independent; sequences are shared among threads, and every sum over
// sequences is made afterwards in sequence order, so results do not depend on
// the thread count.
#pragma once

#include <cstdint>

namespace rnnsk {

// One batch of emission scores and the CRF's parameters.
template <class T>
struct CrfBatch {
  const T* emissions = nullptr;      // (batch, steps, labels), padding never read
  const int64_t* lengths = nullptr;  // (batch), each in [1, steps]
  int batch = 0;
  int steps = 0;
  int labels = 0;
  const T* transitions = nullptr;    // (labels, labels): A[i, j] = score of i followed by j
  const T* start = nullptr;          // (labels)
  const T* end = nullptr;            // (labels)
  int n_threads = 1;
};

// The gradient of the weighted loss sum_b scale[b] * (log Z_b - S_b(tags_b)).
template <class T>
struct CrfGradients {
  const T* scale = nullptr;  // (batch): the weight of each sequence's loss
  T* emissions = nullptr;    // (batch, steps, labels), zero at padding
  T* transitions = nullptr;  // (labels, labels), zero where A is -infinity
  T* start = nullptr;        // (labels)
  T* end = nullptr;          // (labels)
};

// log Z_b - S_b(tags_b) of every sequence into nll (batch); +infinity when the
// labelling is forbidden. With `gradients` non-null, also its gradients.
// tags: (batch, steps), labels in [0, labels) at real steps, padding not read.
template <class T>
void crf_negative_log_likelihood(const CrfBatch<T>& batch, const int64_t* tags, T* nll,
                                 const CrfGradients<T>* gradients);

// P(y_t = k | x) of every real step into marginals (batch, steps, labels),
// zero at padding.
template <class T>
void crf_marginals(const CrfBatch<T>& batch, T* marginals);

// The highest-scoring labelling of every sequence into tags (batch, steps),
// -1 at padding, and its score into best_score (batch) when that is non-null.
// Ties go to the lowest label index.
template <class T>
void crf_viterbi(const CrfBatch<T>& batch, int64_t* tags, T* best_score);

}  // namespace rnnsk
