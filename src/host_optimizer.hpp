// The optimizer's step on arrays in host memory that no core owns (an
// estimator's embeddings and heads), with the formulas every core uses
// (optimizer_math.hpp). Like a core's propose_*, it writes the new parameters
// and optimizer state to separate outputs and says whether every new parameter
// is finite; the caller writes them in place once the whole step is accepted.
// Buffers are untyped, as at the core's interface: elements of float, or of
// double with `double_precision`.
#pragma once

#include <cstdint>

namespace rnnsk {

// The elements a step covers. Dense (rows null): `count` elements, in every
// array alike. Lazy (an embedding's sparse gradient): the rows rows[0..n) of a
// table `width` elements wide that has `table_rows` rows; the parameters and
// optimizer state are the whole table, the gradient and the outputs hold those
// rows alone (count = n * width), and no other row is read. A row outside the
// table throws std::out_of_range.
struct HostElements {
  long count = 0;
  const int64_t* rows = nullptr;
  long width = 0;
  long table_rows = 0;
  bool double_precision = false;
};

// A host step's arrays: the parameter, its gradient and the optimizer's state
// (Adam: first and second moments; SGD: the velocity, state[1] unused), and
// where their new values go.
struct HostArrays {
  const void* params = nullptr;
  const void* grads = nullptr;
  const void* state[2] = {nullptr, nullptr};
  void* new_params = nullptr;
  void* new_state[2] = {nullptr, nullptr};
};

bool propose_adam_on_host(const HostElements& elements, const HostArrays& arrays, double rate,
                          double beta_1, double beta_2, double epsilon);
bool propose_sgd_on_host(const HostElements& elements, const HostArrays& arrays,
                         double learning_rate, double momentum, bool nesterov);

}  // namespace rnnsk
