"""How much memory a call of the core takes, known before it runs.

Backpropagation through time keeps every step's activations, so memory grows
with the total number of real time steps in a batch (``rows``, the sum of the
lengths). The core allocates, per layer and direction, the gate activations
(rows x G*H), LSTM's cell states and GRU's extra product (rows x H each), and a
copy of the states entering each step (rows x H, LSTM two) unless backward reads
them in place (sequences of full length), plus each layer's output (rows x
D*H); backward adds the gate gradients (rows x G*H, twice for GRU) and two
gradient buffers of the widest layer. Inference keeps no tape: per
layer and direction it needs one step's gates, and GRU's h_{t-1} and extra
product or LSTM's two alternating cell states. Per sequence there are also the
step's recurrent product, the initial states and, in backward, the carried
gradients, and per call the weights laid out in panels. All of it is counted
here in the core's own terms (inference over sequences of full length, which
reads its inputs and writes its outputs in place, needs less than counted); a
call whose estimate exceeds the memory available fails with MemoryError before
anything is allocated.
"""

# Estimates below this are never checked: reading the system's free memory on
# every minibatch would cost more than it could save.
_CHECK_ABOVE_BYTES = 256 * 2**20


def core_bytes(network, batch, steps, rows, *, training):
    """Bytes the core needs for one forward (and backward when ``training``)
    over ``batch`` sequences padded to ``steps`` with ``rows`` real steps."""
    H, D, G = network.hidden_size, network.num_directions, network.gate_count
    lstm, gru = network.cell == "lstm", network.cell == "gru"
    states = H * (2 if lstm else 1)  # h, and c for the LSTM
    entering_in_place = rows == batch * steps
    per_row = per_sequence = weights = 0
    for layer in range(network.num_layers):
        if training:
            tape = G * H + (H if lstm or gru else 0) + (0 if entering_in_place else states)
            per_row += D * (tape + G * H * (2 if gru else 1))  # and the gate gradients
        else:
            per_sequence += D * (G * H + (2 * H if lstm or gru else 0))  # one step's worth
        per_row += D * H  # the layer's output
        # A step's recurrent product, the initial states, and in backward the
        # gradients carried between steps (GRU: and a copy of them).
        carried = states + (H if gru else 0) if training else 0
        per_sequence += D * (G * H + states + carried)
        # W_ih and W_hh laid out in panels of 32 columns, once per call.
        inputs = network.input_size if layer == 0 else D * H
        weights += D * -(-G * H // 32) * 32 * (inputs + H)
    # Initial and final states in sorted order, and the final states returned.
    per_sequence += (3 if not lstm else 6) * network.num_layers * D * H
    widest = max(network.input_size, D * H)
    per_row += network.input_size + (2 * widest if training else 0)
    if training and network.dropout > 0:
        per_row += 2 * (network.num_layers - 1) * D * H  # masks and dropped outputs
    # The padded arrays the caller passes and receives.
    padded = batch * steps * (network.input_size * (2 if training else 1) + D * H)
    return network.dtype.itemsize * (rows * per_row + batch * per_sequence + weights + padded)


def available_bytes():
    """Memory this process may still take: the smaller of the system's available
    memory and what its cgroup allows; None where neither can be read."""
    limits = []
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as maximum, \
                open("/sys/fs/cgroup/memory.current") as current:
            limit = maximum.read().strip()
            if limit != "max":
                limits.append(int(limit) - int(current.read().strip()))
    except (OSError, ValueError):
        pass
    return min(limits) if limits else None


def check_fits_in_memory(network, batch, steps, rows, *, training):
    needed = core_bytes(network, batch, steps, rows, training=training)
    if needed < _CHECK_ABOVE_BYTES:
        return
    available = available_bytes()
    if available is not None and needed > available:
        what = "training" if training else "a forward pass"
        raise MemoryError(
            f"{what} over {batch} sequences with {rows} time steps in all needs about "
            f"{needed / 2**30:.1f} GiB ({network.cell}, hidden_size={network.hidden_size}, "
            f"num_layers={network.num_layers}), more than the {available / 2**30:.1f} GiB "
            "available. Use a smaller batch_size, shorter sequences, or truncated "
            "backpropagation (bptt_steps) when training.")


def check_embedding_fits(vocabulary_size, embedding_dim, dtype):
    """An embedding table inferred from the largest token id must fit in memory:
    one absurd id would otherwise ask for terabytes."""
    needed = vocabulary_size * embedding_dim * dtype.itemsize * 3  # table, Adam's 2 moments
    available = available_bytes()
    if needed >= _CHECK_ABOVE_BYTES and available is not None and needed > available:
        raise MemoryError(
            f"the largest token id is {vocabulary_size - 1}, so the inferred vocabulary "
            f"needs an embedding of {vocabulary_size} x {embedding_dim} (about "
            f"{needed / 2**30:.1f} GiB with its optimizer state), more than "
            f"the {available / 2**30:.1f} GiB available. Map tokens to ids 0..V-1 first "
            "(TextSequencer does) or pass vocabulary_size.")
