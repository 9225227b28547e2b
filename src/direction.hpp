// One direction of one recurrent layer, run over a packed batch.
//
// Forward: one GEMM projects the inputs of all time steps at once, then each step
// does one recurrent GEMM for the rows still running and the cell's fused
// elementwise kernel. Backward walks the steps in the opposite order, carrying the
// state gradient, and leaves every weight gradient to one GEMM over all rows after
// the loop. What forward must keep for backward lives in the tape; all buffers
// are members that only grow, so repeated calls allocate nothing.
//
// Without a tape (inference), nothing is kept per packed row: each thread
// projects its rows' inputs step by step, with W_ih packed like W_hh, into
// scratch of one step's size that stays in cache, instead of one product over
// all rows written to and read back from memory.
#pragma once

#include <vector>

#include "blas.hpp"
#include "cells/cell_kind.hpp"
#include "cells/step.hpp"
#include "packed_gemm.hpp"
#include "packing.hpp"

namespace rnnsk {

template <class T>
struct DirectionWeights {
  const T* w_ih;  // (G*H, input_size)
  const T* w_hh;  // (G*H, H)
  const T* b_ih;  // (G*H)
  const T* b_hh;  // (G*H)
};

template <class T>
struct DirectionGradients {
  T* w_ih;
  T* w_hh;
  T* b_ih;
  T* b_hh;
};

template <class T>
class RecurrentDirection {
 public:
  RecurrentDirection(CellKind cell, int input_size, int hidden_size, bool reverse);

  // input: (rows, input_size). h0/c0: (batch, H) in sorted order, or null for
  // zeros. Writes the hidden state of every step into out and the final states
  // into h_final/c_final (sorted order; c_final LSTM only).
  //
  // Training keeps the tape backward reads; input and out must be packed, as
  // backward reads them. It also writes each step's hidden state into out_copy
  // unless its base is null.
  void forward_training(const Gemm<T>& gemm, const Packing& packing,
                        const DirectionWeights<T>& w, StepRows<const T> input, const T* h0,
                        const T* c0, StepRows<T> out, StepRows<T> out_copy, T* h_final,
                        T* c_final, int n_threads);
  // Inference keeps nothing for backward (which then refuses to run).
  void forward_inference(const Gemm<T>& gemm, const Packing& packing,
                         const DirectionWeights<T>& w, StepRows<const T> input, const T* h0,
                         const T* c0, StepRows<T> out, T* h_final, T* c_final, int n_threads);

  // out: this direction's outputs from the forward (row stride ld_out), where
  // backward reads the states entering each step when the tape does not hold them.
  // d_out: where each step's rows of the gradient of this direction's outputs
  // lie (packed, or the caller's batch-first array), or a null base;
  // d_h_final/d_c_final: gradients of the final states (sorted) or null.
  // Writes (or adds, with accumulate) the weight gradients; writes d_input, or adds
  // to it with add_to_d_input; writes d_h0/d_c0 (sorted).
  void backward(const Gemm<T>& gemm, const Packing& packing, const DirectionWeights<T>& w,
                const T* input, const T* out, int ld_out, StepRows<const T> d_out,
                const T* d_h_final,
                const T* d_c_final, const DirectionGradients<T>& grads, bool accumulate,
                T* d_input, bool add_to_d_input, T* d_h0, T* d_c0, int n_threads);

 private:
  int step_at(int s, int steps) const { return reverse_ ? steps - 1 - s : s; }

  // Of the rows [first, first + n) of step s, the first `carried` continue the
  // previous step's rows from packed row prev_row on; the rest join from the
  // initial states (all of them at the first step, and in reverse the shorter
  // sequences as they start).
  struct Entering {
    int carried;
    int t_prev;     // the previous step's time index
    long prev_row;  // its packed row of sample `first`
  };
  Entering entering_rows(const Packing& packing, int s, long first, int n) const;

  // The states entering a step for the rows from `first` on when they all carry
  // on (c from the c_ tape; h from prev_h, the previous step's outputs, row
  // stride ld_prev) or all join (the initial states): never a mix of both.
  const T* entering_c(const Entering& entering, long first) const;
  struct EnteringRows {
    const T* data;
    int ld;
  };
  EnteringRows entering_h(const Entering& entering, const T* prev_h, int ld_prev,
                          long first) const;

  // What both forwards know of step s for the samples [first, last): its time
  // index t, its rows (n of them, none when n <= 0; packed from `row` on), how
  // they enter, the previous step's outputs of the carried rows (in out) and
  // the initial states of the joining ones.
  struct ForwardStep {
    int t = 0;
    int n = 0;
    long row = 0;
    Entering entering{};
    const T* prev_h = nullptr;
    const T* joining_h = nullptr;
  };
  ForwardStep forward_step(const Packing& packing, StepRows<T> out, int s, long first,
                           long last) const;
  // Copies the initial states, lays out W_hh^T and sums the biases, for
  // `batch` samples; returns the biases' sum.
  const T* prepare_forward(const DirectionWeights<T>& w, long batch, const T* h0, const T* c0);
  // The step's recurrent product into recurrent_ (rows from `first` on), from
  // the entering states where they are, or gathered into one matrix at
  // gathered_h when it is not null; returns where the entering states are read.
  EnteringRows recurrent_product(const Gemm<T>& gemm, const ForwardStep& step, int ld_prev,
                                 long first, T* gathered_h);
  // The cell's arguments both forwards set alike.
  StepForward<T> cell_step(const ForwardStep& step, long first, T* gates, const T* bias,
                           const DirectionWeights<T>& w, EnteringRows h_prev, T* h_out,
                           int ld_out) const;
  template <class CellStateOf>
  void store_final_states(const Packing& packing, StepRows<T> out, T* h_final, T* c_final,
                          CellStateOf c_last) const;

  CellKind cell_;
  int input_size_;
  int hidden_;
  int gate_width_;  // G * H
  bool reverse_;

  // Tape: kept from forward for backward, one row per packed row.
  std::vector<T> gates_;   // activated gates (RNN: h_t)
  std::vector<T> c_;       // LSTM: cell state leaving each step
  std::vector<T> ah_n_;    // GRU: W_hn h_{t-1} + b_hn
  // The states entering each step are the initial states (below) or the previous
  // step's outputs and c_ rows. Where every sequence runs every step, backward
  // reads them there; otherwise forward copies them into a tape of their own.
  bool entering_in_place_ = false;
  std::vector<T> h_prev_;  // state entering each step, if copied
  std::vector<T> c_prev_;  // LSTM: cell state entering each step, if copied
  std::vector<T> initial_h_;  // (batch, H): the initial states, sorted
  std::vector<T> initial_c_;  // LSTM

  // Scratch.
  std::vector<T> state_h_;    // (batch, H): the carried state gradient in backward
  std::vector<T> state_c_;    // (batch, H): LSTM, the carried cell state gradient
  std::vector<T> recurrent_;  // (batch, G*H): one step's recurrent product
  PackedMatrix<T> recurrent_weights_;  // W_hh^T in forward, W_hh in backward
  PackedMatrix<T> input_weights_;      // W_ih^T, for forward without a tape
  std::vector<T> cell_states_;         // without a tape, LSTM: (2, batch, H), alternating
  std::vector<T> d_h_;        // GRU: (batch, H), a copy of one step's carried state gradient
  std::vector<T> d_ax_;       // (rows, G*H)
  std::vector<T> d_ah_;       // GRU: (rows, G*H)
  std::vector<T> bias_sums_;  // (G*H): b_ih + b_hh in forward; a bias gradient in backward
};

}  // namespace rnnsk
