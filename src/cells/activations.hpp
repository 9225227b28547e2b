// Activations the cell kernels use, written so the compiler can vectorize them:
// no branches (selects only), no library calls, the same code for every lane.
//
// exp uses the classic split x = k ln2 + r, |r| <= ln2 / 2, with 2^k assembled in
// the exponent bits and e^r - 1 from its Taylor series, long enough for float or
// double precision (relative error about one ulp). sigmoid is built on e^{-|x|},
// and tanh in double on expm1(-2|x|), so that they neither overflow nor lose
// accuracy near 0; tanh in float is a rational function of half the cost.
#pragma once

#include <cstdint>
#include <cstring>

namespace rnnsk {

template <class T>
struct ExpTraits;

template <>
struct ExpTraits<float> {
  using Bits = uint32_t;
  static constexpr int mantissa_bits = 23;
  static constexpr int taylor_terms = 7;  // next term r^8 / 8! < 6e-9: below half an ulp
  static constexpr float lowest = -87.0f;  // e^lowest stays a normal number
  static constexpr float round_shift = 12582912.0f + 127.0f;  // 1.5 * 2^23 + bias
  static constexpr float ln2_hi = 0.693145751953125f;
  static constexpr float ln2_lo = 1.428606765330187e-06f;
};

template <>
struct ExpTraits<double> {
  using Bits = uint64_t;
  static constexpr int mantissa_bits = 52;
  static constexpr int taylor_terms = 14;
  static constexpr double lowest = -708.0;
  static constexpr double round_shift = 6755399441055744.0 + 1023.0;  // 1.5 * 2^52 + bias
  static constexpr double ln2_hi = 0.6931471803691238;
  static constexpr double ln2_lo = 1.9082149292705877e-10;
};

constexpr double inverse_factorial(int n) { return n <= 1 ? 1.0 : inverse_factorial(n - 1) / n; }

// Sum over j = First..Last of r^(j - First) / j!, by Horner's rule: one fused
// multiply-add per term, the coefficients folded at compile time.
template <class T, int First, int Last>
inline T factorial_series(T r) {
  constexpr T coefficient = T(inverse_factorial(First));
  if constexpr (First == Last) {
    return coefficient;
  } else {
    return coefficient + r * factorial_series<T, First + 1, Last>(r);
  }
}

// e^x - 1 and e^x for x <= 0 (the kernels never need a positive argument).
// Arguments below ExpTraits::lowest are clamped there: e^x is then below 1e-37
// (float) or 1e-307 (double), and so are the errors this makes.
template <class T>
struct ExpParts {
  T expm1;
  T exp;
};

template <class T>
inline ExpParts<T> exp_nonpositive(T x) {
  using Traits = ExpTraits<T>;
  using Bits = typename Traits::Bits;
  x = x < Traits::lowest ? Traits::lowest : x;
  // k = round(x / ln2): adding 1.5 * 2^m + bias leaves k + bias in the low
  // mantissa bits, which shifted into the exponent field give 2^k.
  const T shifted = x * T(1.4426950408889634) + Traits::round_shift;
  const T k = shifted - Traits::round_shift;
  Bits shifted_bits;
  std::memcpy(&shifted_bits, &shifted, sizeof(T));
  const T r = (x - k * Traits::ln2_hi) - k * Traits::ln2_lo;
  // e^r - 1 = r + r^2 (1/2! + r/3! + ...), unrolled at compile time so the loop
  // over lanes has no inner loop.
  const T expm1_r = r + r * r * factorial_series<T, 2, Traits::taylor_terms>(r);
  // Unsigned: for a NaN argument the bits are garbage and the shift must wrap,
  // not overflow (the NaN still reaches the result through r).
  const Bits scale_bits = shifted_bits << Traits::mantissa_bits;
  T scale;
  std::memcpy(&scale, &scale_bits, sizeof(T));
  return {(scale - T(1)) + scale * expm1_r, scale + scale * expm1_r};
}

template <class T>
inline T abs_value(T x) {
  return x < T(0) ? -x : x;
}

// sigmoid and tanh as numerator / denominator, the denominator positive and
// bounded (at most 2, or 440 for tanh in float), so that the gates of one cell
// can share a single division (vector division is many times slower than
// multiplication; see shared_quotients).
template <class T>
struct Quotient {
  T numerator;
  T denominator;
};

template <class T>
inline Quotient<T> sigmoid_quotient(T x) {
  const T e = exp_nonpositive(-abs_value(x)).exp;
  return {x >= T(0) ? T(1) : e, T(1) + e};
}

// tanh |x| = -expm1(-2|x|) / (2 + expm1(-2|x|)): accurate near 0, no overflow.
inline Quotient<double> tanh_quotient(double x) {
  const double m = exp_nonpositive(-2.0 * abs_value(x)).expm1;  // in (-1, 0]
  return {x >= 0.0 ? -m : m, 2.0 + m};
}

// tanh x = x P(x^2) / Q(x^2) on |x| <= 9.1 (beyond, tanh rounds to +-1 in float),
// P and Q of degree 4 fitted for the least largest relative error (2.3e-8, by
// iteratively reweighted least squares) and rounded to float. Evaluated in
// float: within 6 ulp of tanh (tests/test_activations.py measures 4.9).
// Odd by construction, so it needs no sign handling; 14 operations against the
// 21 of the exp-based form. Rounding can put |x P| a little above Q near the
// limit: the numerator is bounded by the denominator, so |tanh| never exceeds 1
// (the cells' derivatives 1 - tanh^2 stay >= 0), and at the limit, where x P
// rounds to at least Q, the bound makes it exactly +-1.
inline Quotient<float> tanh_quotient(float x) {
  constexpr float limit = 9.1f;
  x = x > limit ? limit : x;  // comparisons, not min/max: a NaN passes through
  x = x < -limit ? -limit : x;
  const float s = x * x;
  const float p = 1.0f + s * (0.133744732f + s * (0.00348780956f +
                                                  s * (2.0481164e-05f + s * 1.31774911e-08f)));
  const float q = 1.0f + s * (0.467077881f + s * (0.0258473828f +
                                                  s * (0.000327291782f + s * 7.7040329e-07f)));
  float numerator = x * p;
  numerator = numerator > q ? q : numerator;
  numerator = numerator < -q ? -q : numerator;
  return {numerator, q};
}

template <class T>
inline T tanh_act(T x) {
  const Quotient<T> q = tanh_quotient(x);
  return q.numerator / q.denominator;
}

// tanh_act as the functor cell_math.hpp's equations take.
struct FastTanh {
  template <class T>
  T operator()(T x) const {
    return tanh_act(x);
  }
};

// a.n / a.d and b.n / b.d with one division: 1/a.d = b.d / (a.d b.d).
// Denominators in [1, 440] keep every product far from overflow.
template <class T>
inline void shared_quotients(Quotient<T> a, Quotient<T> b, T& a_value, T& b_value) {
  const T reciprocal = T(1) / (a.denominator * b.denominator);
  a_value = a.numerator * b.denominator * reciprocal;
  b_value = b.numerator * a.denominator * reciprocal;
}

// The same for four quotients.
template <class T>
inline void shared_quotients(Quotient<T> a, Quotient<T> b, Quotient<T> c, Quotient<T> d,
                             T& a_value, T& b_value, T& c_value, T& d_value) {
  const T ab = a.denominator * b.denominator;
  const T cd = c.denominator * d.denominator;
  const T reciprocal = T(1) / (ab * cd);
  const T over_ab = cd * reciprocal;  // 1 / (a.d b.d)
  const T over_cd = ab * reciprocal;  // 1 / (c.d d.d)
  a_value = a.numerator * b.denominator * over_ab;
  b_value = b.numerator * a.denominator * over_ab;
  c_value = c.numerator * d.denominator * over_cd;
  d_value = d.numerator * c.denominator * over_cd;
}

}  // namespace rnnsk
