// Max pooling over time, the `max` readout of a sequence classifier: which step
// holds each feature's largest value. One pass over the values in their
// batch-first order; numpy's argmax over the steps axis copies them into
// (batch, features, steps) order first, which took most of a training step's
// head.
#pragma once

#include <cstdint>

namespace rnnsk {

// For values (batch, steps, features) and the real steps of each sequence
// (lengths, each in [1, steps]; later steps are never read), writes into index
// (batch, features) the first real step holding the largest value, or the first
// NaN: numpy's argmax over the real steps.
template <class T>
void argmax_over_steps(const T* values, const int64_t* lengths, int batch, int steps,
                         int features, int64_t* index);

}  // namespace rnnsk
