// The cell kernels, compiled once per instruction set and chosen at run time
// (see isa_dispatch.hpp): `flatten` inlines the row kernels and the activations
// into each clone, so every clone is vectorized for its own instruction set.
#include "cell.hpp"
#include "gru.hpp"
#include "isa_dispatch.hpp"
#include "lstm.hpp"
#include "rnn.hpp"

namespace rnnsk {
namespace {

#define RNNSK_ROW_LOOP(NAME, ARGS, ROW_KERNEL)                       \
  RNNSK_DISPATCH void NAME(const ARGS& s, int begin, int end) {      \
    for (int r = begin; r < end; ++r) ROW_KERNEL(s, r);               \
  }

// Forward loops come in pairs: the plain kernel, and one that also stores each new
// state into h_copy. Chosen once per call, so inference runs a loop with no trace
// of the second store (a per-row choice cost 3% of an S LSTM inference).
RNNSK_ROW_LOOP(rnn_tanh_forward_f32, StepForward<float>, (rnn_forward_row<float, false, false>))
RNNSK_ROW_LOOP(rnn_tanh_forward_f64, StepForward<double>, (rnn_forward_row<double, false, false>))
RNNSK_ROW_LOOP(rnn_relu_forward_f32, StepForward<float>, (rnn_forward_row<float, true, false>))
RNNSK_ROW_LOOP(rnn_relu_forward_f64, StepForward<double>, (rnn_forward_row<double, true, false>))
RNNSK_ROW_LOOP(lstm_forward_f32, StepForward<float>, (lstm_forward_row<float, false>))
RNNSK_ROW_LOOP(lstm_forward_f64, StepForward<double>, (lstm_forward_row<double, false>))
RNNSK_ROW_LOOP(gru_forward_f32, StepForward<float>, (gru_forward_row<float, false>))
RNNSK_ROW_LOOP(gru_forward_f64, StepForward<double>, (gru_forward_row<double, false>))
RNNSK_ROW_LOOP(rnn_tanh_copying_forward_f32, StepForward<float>,
               (rnn_forward_row<float, false, true>))
RNNSK_ROW_LOOP(rnn_tanh_copying_forward_f64, StepForward<double>,
               (rnn_forward_row<double, false, true>))
RNNSK_ROW_LOOP(rnn_relu_copying_forward_f32, StepForward<float>,
               (rnn_forward_row<float, true, true>))
RNNSK_ROW_LOOP(rnn_relu_copying_forward_f64, StepForward<double>,
               (rnn_forward_row<double, true, true>))
RNNSK_ROW_LOOP(lstm_copying_forward_f32, StepForward<float>, (lstm_forward_row<float, true>))
RNNSK_ROW_LOOP(lstm_copying_forward_f64, StepForward<double>, (lstm_forward_row<double, true>))
RNNSK_ROW_LOOP(gru_copying_forward_f32, StepForward<float>, (gru_forward_row<float, true>))
RNNSK_ROW_LOOP(gru_copying_forward_f64, StepForward<double>, (gru_forward_row<double, true>))
RNNSK_ROW_LOOP(rnn_tanh_backward_f32, StepBackward<float>, (rnn_backward_row<float, false>))
RNNSK_ROW_LOOP(rnn_tanh_backward_f64, StepBackward<double>, (rnn_backward_row<double, false>))
RNNSK_ROW_LOOP(rnn_relu_backward_f32, StepBackward<float>, (rnn_backward_row<float, true>))
RNNSK_ROW_LOOP(rnn_relu_backward_f64, StepBackward<double>, (rnn_backward_row<double, true>))
RNNSK_ROW_LOOP(lstm_backward_f32, StepBackward<float>, lstm_backward_row<float>)
RNNSK_ROW_LOOP(lstm_backward_f64, StepBackward<double>, lstm_backward_row<double>)
RNNSK_ROW_LOOP(gru_backward_f32, StepBackward<float>, gru_backward_row<float>)
RNNSK_ROW_LOOP(gru_backward_f64, StepBackward<double>, gru_backward_row<double>)

#undef RNNSK_ROW_LOOP

// Which body of each family to run, indexed by CellKind (forward: first by
// whether the new states are also copied).
template <class Args>
using RowLoop = void (*)(const Args&, int, int);

template <class T>
struct KernelTable;

template <>
struct KernelTable<float> {
  static constexpr RowLoop<StepForward<float>> forward[2][4] = {
      {rnn_tanh_forward_f32, rnn_relu_forward_f32, lstm_forward_f32, gru_forward_f32},
      {rnn_tanh_copying_forward_f32, rnn_relu_copying_forward_f32, lstm_copying_forward_f32,
       gru_copying_forward_f32}};
  static constexpr RowLoop<StepBackward<float>> backward[4] = {
      rnn_tanh_backward_f32, rnn_relu_backward_f32, lstm_backward_f32, gru_backward_f32};
};

template <>
struct KernelTable<double> {
  static constexpr RowLoop<StepForward<double>> forward[2][4] = {
      {rnn_tanh_forward_f64, rnn_relu_forward_f64, lstm_forward_f64, gru_forward_f64},
      {rnn_tanh_copying_forward_f64, rnn_relu_copying_forward_f64, lstm_copying_forward_f64,
       gru_copying_forward_f64}};
  static constexpr RowLoop<StepBackward<double>> backward[4] = {
      rnn_tanh_backward_f64, rnn_relu_backward_f64, lstm_backward_f64, gru_backward_f64};
};

}  // namespace

template <class T>
void cell_forward_rows(CellKind cell, const StepForward<T>& s, int begin, int end) {
  KernelTable<T>::forward[s.h_copy != nullptr][static_cast<int>(cell)](s, begin, end);
}

template <class T>
void cell_backward_rows(CellKind cell, const StepBackward<T>& s, int begin, int end) {
  KernelTable<T>::backward[static_cast<int>(cell)](s, begin, end);
}

template void cell_forward_rows<float>(CellKind, const StepForward<float>&, int, int);
template void cell_forward_rows<double>(CellKind, const StepForward<double>&, int, int);
template void cell_backward_rows<float>(CellKind, const StepBackward<float>&, int, int);
template void cell_backward_rows<double>(CellKind, const StepBackward<double>&, int, int);

const char* kernel_isa() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "avx512f";
  if (__builtin_cpu_supports("avx2")) return "avx2";
#endif
  return "default";
}

}  // namespace rnnsk
