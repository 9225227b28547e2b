"""How much memory a call of the core takes, known before it runs.

Backpropagation through time keeps every step's activations, so memory grows
with the total number of real time steps in a batch (``rows``, the sum of the
lengths). The core counts what its algorithm takes (``host_bytes``: on the CPU
the tape, the workspace and the weights laid out in panels, see
``cpu_call_bytes`` in src/network.cpp; on a GPU the host staging, the tape being
in device memory) and the caller's padded arrays; a call whose estimate exceeds
the memory available fails with MemoryError before anything is allocated.
"""

# Estimates below this are never checked: reading the system's free memory on
# every minibatch would cost more than it could save.
_CHECK_ABOVE_BYTES = 256 * 2**20


def core_bytes(network, batch, steps, rows, *, training):
    """Bytes of host memory the core needs for one forward (and backward when
    ``training``) over ``batch`` sequences padded to ``steps`` with ``rows``
    real steps, as the core counts them for its own algorithm."""
    return int(network._core.host_bytes(batch, steps, rows, training))


def available_bytes():
    """Memory this process may still take: the smaller of the system's available
    memory and what its cgroup allows; None where neither can be read."""
    limit, used = _cgroup("memory.max"), _cgroup("memory.current")
    return _smallest(_meminfo("MemAvailable"),
                     None if limit is None or used is None else limit - used)


def total_bytes():
    """The memory this process could ever have: the smaller of the system's
    total memory and its cgroup's limit; None where neither can be read."""
    return _smallest(_meminfo("MemTotal"), _cgroup("memory.max"))


def _meminfo(field):
    """A field of /proc/meminfo in bytes, or None."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _cgroup(name):
    """A number of bytes of this process's cgroup (v2), or None (also for 'max')."""
    try:
        with open(f"/sys/fs/cgroup/{name}") as file:
            value = file.read().strip()
        return None if value == "max" else int(value)
    except (OSError, ValueError):
        return None


def _smallest(*limits):
    known = [limit for limit in limits if limit is not None]
    return min(known) if known else None


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


def check_embedding_fits(vocabulary_size, embedding_dim, dtype, cause, advice):
    """An embedding table must fit in memory: one absurd token id, vocabulary
    size or embedding_dim would otherwise ask for terabytes. ``cause`` names
    what makes the table that large, ``advice`` what to change."""
    needed = vocabulary_size * embedding_dim * dtype.itemsize * 3  # table, Adam's 2 moments
    available = available_bytes()
    if needed >= _CHECK_ABOVE_BYTES and available is not None and needed > available:
        raise MemoryError(
            f"{cause} needs an embedding of {vocabulary_size} x {embedding_dim} (about "
            f"{needed / 2**30:.1f} GiB with its optimizer state), more than "
            f"the {available / 2**30:.1f} GiB available. {advice}")


def check_network_fits(cell, gates, hidden_sizes, directions, dtype):
    """The recurrent weights (``gates`` blocks per unit, see
    _network.gate_count) must fit in memory with their gradients and one
    optimizer state: an absurd hidden_size would otherwise end in a bare
    std::bad_alloc from the core. Counts the hidden-to-hidden matrices and the
    inputs of the layers after the first (the first layer's inputs left out),
    against the machine's total memory rather than what is free now (which
    reclaimable caches hide), so that it never refuses a network that fits."""
    weights, width = 0, 0
    for size in hidden_sizes:
        weights += directions * gates * size * (size + width)
        width = directions * size
    needed = 3 * weights * dtype.itemsize
    if needed < _CHECK_ABOVE_BYTES:
        return
    _refuse_beyond_total(needed, f"an {cell} network of {_layers(hidden_sizes)}")


def check_layers_fit(hidden_size, num_layers):
    """Before ``num_layers`` layer sizes are even listed (a tuple of 2**31 of
    them takes 16 GiB): the least any network of that many layers of
    ``hidden_size`` units needs (one gate, one direction, 4-byte weights, with
    gradients and one optimizer state) must fit in the machine."""
    needed = 3 * 4 * (num_layers - 1) * hidden_size * 2 * hidden_size
    if needed >= _CHECK_ABOVE_BYTES:
        _refuse_beyond_total(needed, f"a network of hidden_size={hidden_size} and "
                                     f"num_layers={num_layers}")


# What to change when a network does not fit, unless the caller knows better.
_SMALLER_NETWORK = "use a smaller hidden_size or num_layers"


def check_parameters_fit(count, dtype, network, advice=_SMALLER_NETWORK):
    """``count`` parameters of ``network`` and their gradients (which a bare
    network's core allocates when it is made) must fit in the machine: else
    the core would end in a bare std::bad_alloc, numpy in its own error."""
    needed = 2 * count * dtype.itemsize
    if needed >= _CHECK_ABOVE_BYTES:
        _refuse_beyond_total(needed, network, "its weights and their gradients", advice)


def _refuse_beyond_total(needed, network,
                         what="its weights, their gradients and the optimizer's state",
                         advice=_SMALLER_NETWORK):
    total = total_bytes()
    if total is not None and needed > total:
        raise MemoryError(
            f"{network} needs at least {needed / 2**30:.1f} GiB for {what}, more than the "
            f"{total / 2**30:.1f} GiB this machine has; {advice}")


def _layers(hidden_sizes):
    """The layer sizes as a message names them, without listing thousands."""
    if len(hidden_sizes) > 8 and len(set(hidden_sizes)) == 1:
        return f"hidden_size={hidden_sizes[0]} and num_layers={len(hidden_sizes)}"
    return f"hidden_size={list(hidden_sizes)}"
