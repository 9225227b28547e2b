// The recurrent cells the core implements, and the facts about them that
// the layer code needs (how many gate blocks each has).
#pragma once

#include <stdexcept>
#include <string>

namespace rnnsk {

enum class CellKind { rnn_tanh = 0, rnn_relu = 1, lstm = 2, gru = 3 };

inline int gate_count(CellKind cell) {
  switch (cell) {
    case CellKind::rnn_tanh:
    case CellKind::rnn_relu:
      return 1;
    case CellKind::lstm:
      return 4;
    case CellKind::gru:
      return 3;
  }
  throw std::invalid_argument("unknown cell kind");
}

inline CellKind cell_from_int(int code) {
  if (code < 0 || code > 3)
    throw std::invalid_argument("unknown cell code " + std::to_string(code));
  return static_cast<CellKind>(code);
}

}  // namespace rnnsk
