# The Cython binding of the C++ core: checks every buffer it hands to C++
# (dtype, C order, shape), releases the GIL around the forward and backward
# calls (the optimizer's short calls keep it), and turns C++ exceptions into
# Python ones (``except +``). User-facing conversion and
# messages live in rnnsk/_network.py.
cimport numpy as cnp
from cpython.pycapsule cimport PyCapsule_GetName, PyCapsule_GetPointer
from cpython.ref cimport Py_INCREF
from libc.stdint cimport int64_t, uint64_t

import numpy as np
from scipy.linalg import cython_blas

# The C++ declarations come from _core.pxd, which Cython reads with this file.
cnp.import_array()

ctypedef fused real:
    float
    double


cdef void* blas_routine(str name) except NULL:
    # scipy exports its BLAS as capsules; reading the pointer at run time means
    # neither scipy nor a BLAS is needed to build rnnsk.
    capsule = cython_blas.__pyx_capi__[name]
    return PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule))


cdef NetworkConfig make_config(int cell, int input_size, int hidden_size, int num_layers,
                               bint bidirectional, double dropout) except *:
    cdef NetworkConfig config
    config.cell = cell_from_int(cell)
    config.input_size = input_size
    config.hidden_size = hidden_size
    config.num_layers = num_layers
    config.bidirectional = bidirectional
    config.dropout = dropout
    return config


def gate_count(int cell):
    """Number of gate blocks of the cell with code ``cell`` (G: the weights have G*H rows)."""
    return rnnsk_gate_count(cell_from_int(cell))


def layout(int cell, int input_size, int hidden_size, int num_layers, bint bidirectional):
    """List of (name, offset, shape) of every parameter tensor in the flat array."""
    entries = parameter_layout(make_config(cell, input_size, hidden_size, num_layers,
                                           bidirectional, 0.0))
    result = []
    for e in entries:
        if e.cols:
            result.append((e.name.decode(), e.offset, (e.rows, e.cols)))
        else:
            result.append((e.name.decode(), e.offset, (e.rows,)))
    return result


cdef void* buffer_of(object array, str name, object dtype, tuple shape) except? NULL:
    """The data pointer of ``array`` once it is known to be what C++ will read."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(array).__name__}")
    if array.dtype != dtype:
        raise TypeError(f"{name} must have dtype {np.dtype(dtype)}, got {array.dtype}")
    if not array.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous")
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape}")
    if array.size == 0:
        return NULL
    return cnp.PyArray_DATA(<cnp.ndarray>array)


cdef void* optional_buffer(object array, str name, object dtype, tuple shape) except? NULL:
    if array is None:
        return NULL
    return buffer_of(array, name, dtype, shape)


# Where a core runs (src/core.hpp): the CPU, the host emulator of the
# device algorithm (how it is tested without a GPU), or CUDA GPU number N >= 0.
CPU = kCpuDevice
EMULATED = kEmulatedDevice


cdef class NetworkCore:
    """One recurrent network of the C++ core with everything it trains: its
    parameters, gradients and optimizer state, its workspace and its tape for
    backward, on ``device`` (CPU, EMULATED or a CUDA GPU's number). The core
    is float or double inside; every buffer passed in is checked to be of
    ``dtype``."""

    cdef unique_ptr[Core] core
    cdef readonly object dtype
    cdef readonly int cell, input_size, hidden_size, num_layers, directions, device
    cdef readonly Py_ssize_t parameter_size
    cdef int taped_batch, taped_steps

    def __cinit__(self, int cell, int input_size, int hidden_size, int num_layers,
                  bint bidirectional, double dropout, object dtype, int device=CPU):
        cdef NetworkConfig config = make_config(cell, input_size, hidden_size, num_layers,
                                                bidirectional, dropout)
        self.dtype = np.dtype(dtype)
        if self.dtype != np.float32 and self.dtype != np.float64:
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")
        self.cell = cell
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.directions = 2 if bidirectional else 1
        self.device = device
        self.parameter_size = parameter_count(config)
        self.taped_batch = -1
        self.taped_steps = -1
        self.core = make_core(config, self.dtype == np.float64, device,
                              <sgemm_routine>blas_routine("sgemm"),
                              <dgemm_routine>blas_routine("dgemm"))

    cdef tuple state_shape(self, int batch):
        return (self.num_layers * self.directions, batch, self.hidden_size)

    cdef void* flat(self, array, str name) except? NULL:
        return buffer_of(array, name, self.dtype, (self.parameter_size,))

    def forward(self, x, lengths, h0, c0, bint training, uint64_t dropout_seed, int n_threads,
                out, h_n, c_n):
        """Run forward, writing into the preallocated out (or None: not wanted),
        h_n and c_n."""
        if not isinstance(x, np.ndarray):
            raise TypeError(f"x must be a numpy array, got {type(x).__name__}")
        if x.ndim != 3:
            raise ValueError(f"x must be 3-D (batch, steps, features), got {x.ndim}-D")
        if x.shape[0] < 1 or x.shape[1] < 1:
            raise ValueError(f"x must hold at least one sequence of one step, got shape {x.shape}")
        cdef ForwardArgs args
        cdef int batch = x.shape[0], steps = x.shape[1]
        cdef bint lstm = self.cell == 2
        state = self.state_shape(batch)
        args.x = buffer_of(x, "x", self.dtype, (batch, steps, self.input_size))
        args.lengths = <int64_t*>buffer_of(lengths, "lengths", np.int64, (batch,))
        args.batch = batch
        args.steps = steps
        args.h0 = optional_buffer(h0, "h0", self.dtype, state)
        args.c0 = optional_buffer(c0 if lstm else None, "c0", self.dtype, state)
        args.training = training
        args.dropout_seed = dropout_seed
        args.n_threads = max(1, n_threads)
        args.out = optional_buffer(out, "out", self.dtype,
                                   (batch, steps, self.directions * self.hidden_size))
        args.h_n = buffer_of(h_n, "h_n", self.dtype, state)
        args.c_n = buffer_of(c_n, "c_n", self.dtype, state) if lstm else NULL
        with nogil:
            self.core.get().forward(args)
        if training:
            self.taped_batch, self.taped_steps = batch, steps
        else:
            self.taped_batch, self.taped_steps = -1, -1

    def backward(self, d_out, d_h_n, d_c_n, bint accumulate, int n_threads, d_x, d_h0, d_c0):
        """Backpropagate through the last training forward into the core's
        gradients, writing d_x (or None: not wanted), d_h0 and d_c0."""
        if self.taped_batch < 0:
            raise RuntimeError("backward needs a preceding forward with training=True")
        cdef BackwardArgs args
        cdef bint lstm = self.cell == 2
        state = self.state_shape(self.taped_batch)
        sequence = (self.taped_batch, self.taped_steps)
        args.d_out = optional_buffer(d_out, "d_output", self.dtype,
                                     sequence + (self.directions * self.hidden_size,))
        args.d_h_n = optional_buffer(d_h_n, "d_h_n", self.dtype, state)
        args.d_c_n = optional_buffer(d_c_n if lstm else None, "d_c_n", self.dtype, state)
        args.accumulate = accumulate
        args.n_threads = max(1, n_threads)
        args.d_x = optional_buffer(d_x, "d_x", self.dtype, sequence + (self.input_size,))
        args.d_h0 = buffer_of(d_h0, "d_h0", self.dtype, state)
        args.d_c0 = buffer_of(d_c0, "d_c0", self.dtype, state) if lstm else NULL
        with nogil:
            self.core.get().backward(args)

    def host_bytes(self, long batch, long steps, long rows, bint training):
        """Bytes of host memory a forward (and backward when training) over
        ``batch`` sequences padded to ``steps`` with ``rows`` real steps takes."""
        return self.core.get().host_bytes(batch, steps, rows, training)

    cdef object copy_of(self, bint gradients):
        """A read-only host copy of the parameters or gradients (device memory)."""
        copy = np.empty(self.parameter_size, self.dtype)
        if gradients:
            self.core.get().download_gradients(self.flat(copy, "gradients"))
        else:
            self.core.get().download_parameters(self.flat(copy, "parameters"))
        copy.flags.writeable = False
        return copy

    cdef object view_of(self, void* data):
        """An ndarray over the core's own host memory, keeping the core alive."""
        cdef cnp.npy_intp size = self.parameter_size
        view = cnp.PyArray_SimpleNewFromData(
            1, &size, cnp.NPY_FLOAT64 if self.dtype == np.float64 else cnp.NPY_FLOAT32, data)
        Py_INCREF(self)  # (the base reference is stolen)
        cnp.PyArray_SetBaseObject(view, self)
        return view

    # Where the core's memory is the host's (the CPU), these are views of it,
    # which may be written in place; elsewhere read-only copies (write with
    # set_parameters, set_gradients). A new view each call: a view cached here
    # would hold the core through its base, a cycle the garbage collector
    # cannot see (ndarrays are not tracked), and leak every network.
    def parameters(self):
        cdef void* data = self.core.get().host_parameters()
        if data == NULL:
            return self.copy_of(False)
        return self.view_of(data)

    def gradients(self):
        cdef void* data = self.core.get().host_gradients()
        if data == NULL:
            return self.copy_of(True)
        return self.view_of(data)

    def set_parameters(self, values):
        cdef void* data = self.flat(values, "parameters")
        if data != self.core.get().host_parameters():  # (else already there)
            self.core.get().upload_parameters(data)

    def set_gradients(self, values):
        cdef void* data = self.flat(values, "gradients")
        if data != self.core.get().host_gradients():
            self.core.get().upload_gradients(data)

    def optimizer_state(self):
        """Copies of the optimizer's two moment vectors (SGD: velocity, unused)."""
        first, second = (np.empty(self.parameter_size, self.dtype) for _ in range(2))
        self.core.get().download_optimizer_state(self.flat(first, "first"),
                                                 self.flat(second, "second"))
        return first, second

    def set_optimizer_state(self, first, second):
        self.core.get().upload_optimizer_state(self.flat(first, "first"),
                                               self.flat(second, "second"))

    def reset_optimizer_state(self):
        self.core.get().reset_optimizer_state()

    def gradient_sum_of_squares(self):
        return self.core.get().gradient_sum_of_squares()

    def scale_gradients(self, double factor):
        self.core.get().scale_gradients(factor)

    def add_weight_decay(self, double scale):
        """Adds scale * W to the weight matrices' gradients; returns |W|^2."""
        return self.core.get().add_weight_decay(scale)

    def propose_adam(self, double rate, double beta_1, double beta_2, double epsilon):
        """Compute an Adam step aside; True when every new parameter is finite."""
        return self.core.get().propose_adam(rate, beta_1, beta_2, epsilon)

    def propose_sgd(self, double learning_rate, double momentum, bint nesterov):
        """Compute an SGD step aside; True when every new parameter is finite."""
        return self.core.get().propose_sgd(learning_rate, momentum, nesterov)

    def commit(self):
        """Make the proposed step current."""
        self.core.get().commit()


# The optimizer's step on host arrays that no core owns (src/host_optimizer.hpp):
# the same formulas as the cores', computed aside into new arrays. With
# ``rows`` (int64), ``gradient`` holds those rows of the table ``parameter``
# alone, and so do the new arrays (a lazy step).

cdef list host_step(object parameter, object gradient, object rows, dict states,
                    HostElements* elements, HostArrays* arrays):
    """Check a host step's arrays and point ``elements`` and ``arrays`` at them
    and at new arrays for the results, which it returns (parameter first)."""
    if not isinstance(parameter, np.ndarray) or parameter.dtype not in (np.float32, np.float64):
        raise TypeError("parameter must be a numpy array of float32 or float64")
    dtype, shape = parameter.dtype, parameter.shape
    elements.double_precision = dtype == np.float64
    if rows is None:
        elements.count = parameter.size
        expected = shape
    else:
        if parameter.ndim != 2:
            raise ValueError(f"a lazy step needs a 2-D table, got {parameter.ndim}-D")
        if not isinstance(rows, np.ndarray) or rows.ndim != 1:
            raise ValueError("rows must be a 1-D numpy array")
        elements.rows = <int64_t*>buffer_of(rows, "rows", np.int64, rows.shape)
        elements.width = shape[1]
        elements.table_rows = shape[0]
        elements.count = rows.shape[0] * elements.width
        expected = (rows.shape[0], elements.width)
    arrays.params = buffer_of(parameter, "parameter", dtype, shape)
    arrays.grads = buffer_of(gradient, "gradient", dtype, expected)
    new = [np.empty(expected, dtype) for _ in range(1 + len(states))]
    arrays.new_params = cnp.PyArray_DATA(<cnp.ndarray>new[0])
    for i, (name, state) in enumerate(states.items()):
        arrays.state[i] = buffer_of(state, name, dtype, shape)
        arrays.new_state[i] = cnp.PyArray_DATA(<cnp.ndarray>new[1 + i])
    return new


def propose_adam_on_host(parameter, gradient, rows, first, second, double rate, double beta_1,
                         double beta_2, double epsilon):
    """Adam's step: (finite, new parameter, new first moment, new second moment)."""
    cdef HostElements elements
    cdef HostArrays arrays
    new = host_step(parameter, gradient, rows, {"first": first, "second": second}, &elements,
                    &arrays)
    return (adam_on_host(elements, arrays, rate, beta_1, beta_2, epsilon), *new)


def propose_sgd_on_host(parameter, gradient, rows, velocity, double learning_rate,
                        double momentum, bint nesterov):
    """SGD's step: (finite, new parameter, new velocity)."""
    cdef HostElements elements
    cdef HostArrays arrays
    new = host_step(parameter, gradient, rows, {"velocity": velocity}, &elements, &arrays)
    return (sgd_on_host(elements, arrays, learning_rate, momentum, nesterov), *new)


cdef class StepCore:
    """A unidirectional network advanced one step at a time without a tape: the
    weights are laid out once by ``prepare``, then each ``step`` updates the
    states in place (see src/incremental.hpp)."""

    cdef unique_ptr[IncrementalStep[float]] single
    cdef unique_ptr[IncrementalStep[double]] double_precision
    cdef readonly object dtype
    cdef readonly int cell, input_size, hidden_size, num_layers
    cdef object params  # what prepare laid out: kept alive while steps read it

    def __cinit__(self, int cell, int input_size, int hidden_size, int num_layers,
                  object dtype):
        cdef NetworkConfig config = make_config(cell, input_size, hidden_size, num_layers,
                                                False, 0.0)
        self.dtype = np.dtype(dtype)
        self.cell, self.input_size = cell, input_size
        self.hidden_size, self.num_layers = hidden_size, num_layers
        if self.dtype == np.float32:
            self.single.reset(new IncrementalStep[float](
                config, <sgemm_routine>blas_routine("sgemm")))
        elif self.dtype == np.float64:
            self.double_precision.reset(new IncrementalStep[double](
                config, <dgemm_routine>blas_routine("dgemm")))
        else:
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")

    def prepare(self, params):
        """Lay out the weights of the flat ``params`` for the following steps."""
        size = layout(self.cell, self.input_size, self.hidden_size, self.num_layers, False)[-1]
        shape = (size[1] + int(np.prod(size[2])),)
        if self.single:
            self.single.get().prepare(<float*>buffer_of(params, "params", self.dtype, shape))
        else:
            self.double_precision.get().prepare(
                <double*>buffer_of(params, "params", self.dtype, shape))
        self.params = params

    def step(self, x, h, c):
        """Read one input row per state: x (batch, input_size); h, c (layers,
        batch, hidden_size; c None but for LSTM) are replaced in place."""
        if self.params is None:
            raise RuntimeError("step needs a preceding prepare")
        if not isinstance(x, np.ndarray) or x.ndim != 2:
            raise ValueError("x must be a 2-D numpy array (batch, input_size)")
        cdef int batch = x.shape[0]
        if batch < 1:
            raise ValueError("x must hold at least one row")
        state = (self.num_layers, batch, self.hidden_size)
        lstm = self.cell == 2
        if lstm and c is None:
            raise ValueError("the LSTM cell needs c")
        if self.single:
            xs = <float*>buffer_of(x, "x", self.dtype, (batch, self.input_size))
            hs = <float*>buffer_of(h, "h", self.dtype, state)
            cs = <float*>buffer_of(c, "c", self.dtype, state) if lstm else NULL
            with nogil:
                self.single.get().step(xs, batch, hs, cs)
        else:
            xd = <double*>buffer_of(x, "x", self.dtype, (batch, self.input_size))
            hd = <double*>buffer_of(h, "h", self.dtype, state)
            cd = <double*>buffer_of(c, "c", self.dtype, state) if lstm else NULL
            with nogil:
                self.double_precision.get().step(xd, batch, hd, cd)


def device_count():
    """Number of usable CUDA GPUs; RuntimeError when rnnsk was built without CUDA."""
    return cuda_device_count()


# The linear-chain CRF (src/crf.hpp). Each function takes the emissions
# (batch, steps, labels), the lengths and the CRF's parameters, all of one
# float dtype, and releases the GIL for the whole batch.

cdef CrfBatch[real] crf_batch(const real[:, :, ::1] emissions, const int64_t[::1] lengths,
                              const real[:, ::1] transitions, const real[::1] start,
                              const real[::1] end, int n_threads) except *:
    cdef CrfBatch[real] batch
    cdef Py_ssize_t labels = emissions.shape[2]
    if lengths.shape[0] != emissions.shape[0]:
        raise ValueError(f"lengths has {lengths.shape[0]} entries for {emissions.shape[0]} "
                         "sequences")
    if emissions.shape[0] < 1 or emissions.shape[1] < 1 or labels < 1:
        raise ValueError("emissions must hold at least one sequence of one step and one label, "
                         f"got shape {(emissions.shape[0], emissions.shape[1], labels)}")
    if (transitions.shape[0] != labels or transitions.shape[1] != labels
            or start.shape[0] != labels or end.shape[0] != labels):
        raise ValueError(f"transitions must be ({labels}, {labels}) and start, end ({labels},) "
                         "for emissions of that many labels")
    batch.emissions = &emissions[0, 0, 0]
    batch.lengths = &lengths[0]
    batch.batch = emissions.shape[0]
    batch.steps = emissions.shape[1]
    batch.labels = labels
    batch.transitions = &transitions[0, 0]
    batch.start = &start[0]
    batch.end = &end[0]
    batch.n_threads = max(1, n_threads)
    return batch


def crf_loss(const real[:, :, ::1] emissions, const int64_t[::1] lengths,
             const int64_t[:, ::1] tags, const real[:, ::1] transitions, const real[::1] start,
             const real[::1] end, scale, int n_threads=1):
    """Negative log-likelihood log Z - S(tags) of every sequence, shape (batch,).

    With ``scale`` (batch,) also the gradients of sum_b scale[b] * nll[b]:
    returns (nll, d_emissions, d_transitions, d_start, d_end)."""
    cdef CrfBatch[real] batch = crf_batch(emissions, lengths, transitions, start, end,
                                          n_threads)
    if tags.shape[0] != emissions.shape[0] or tags.shape[1] != emissions.shape[1]:
        raise ValueError(f"tags has shape {(tags.shape[0], tags.shape[1])}, the emissions need "
                         f"{(emissions.shape[0], emissions.shape[1])}")
    dtype = np.float32 if real is float else np.float64
    nll = np.empty(batch.batch, dtype)
    cdef real[::1] nll_view = nll
    cdef CrfGradients[real] gradients
    cdef const real[::1] scale_view
    cdef real[:, :, ::1] d_emissions
    cdef real[:, ::1] d_transitions
    cdef real[::1] d_start, d_end
    if scale is None:
        with nogil:
            crf_negative_log_likelihood(batch, &tags[0, 0], &nll_view[0], NULL)
        return nll
    scale_view = np.ascontiguousarray(scale, dtype)
    if scale_view.shape[0] != batch.batch:
        raise ValueError(f"scale has {scale_view.shape[0]} entries for {batch.batch} sequences")
    result = (nll, np.empty_like(np.asarray(emissions)),
              np.empty((batch.labels, batch.labels), dtype), np.empty(batch.labels, dtype),
              np.empty(batch.labels, dtype))
    d_emissions, d_transitions, d_start, d_end = result[1:]
    gradients.scale = &scale_view[0]
    gradients.emissions = &d_emissions[0, 0, 0]
    gradients.transitions = &d_transitions[0, 0]
    gradients.start = &d_start[0]
    gradients.end = &d_end[0]
    with nogil:
        crf_negative_log_likelihood(batch, &tags[0, 0], &nll_view[0], &gradients)
    return result


def crf_posteriors(const real[:, :, ::1] emissions, const int64_t[::1] lengths,
                  const real[:, ::1] transitions, const real[::1] start, const real[::1] end,
                  int n_threads=1):
    """P(y_t = k) of every step, shape (batch, steps, labels), zero at padding."""
    cdef CrfBatch[real] batch = crf_batch(emissions, lengths, transitions, start, end,
                                          n_threads)
    marginals = np.empty_like(np.asarray(emissions))
    cdef real[:, :, ::1] view = marginals
    with nogil:
        crf_marginals(batch, &view[0, 0, 0])
    return marginals


def crf_decode(const real[:, :, ::1] emissions, const int64_t[::1] lengths,
                const real[:, ::1] transitions, const real[::1] start, const real[::1] end,
                int n_threads=1):
    """(tags, scores): the best labelling of every sequence, (batch, steps) with -1 at
    padding, and its score S, (batch,). Ties go to the lowest label index."""
    cdef CrfBatch[real] batch = crf_batch(emissions, lengths, transitions, start, end,
                                          n_threads)
    tags = np.empty((batch.batch, batch.steps), np.int64)
    scores = np.empty(batch.batch, np.float32 if real is float else np.float64)
    cdef int64_t[:, ::1] tag_view = tags
    cdef real[::1] score_view = scores
    with nogil:
        crf_viterbi(batch, &tag_view[0, 0], &score_view[0])
    return tags, scores


def first_largest_steps(const real[:, :, ::1] values, const int64_t[::1] lengths):
    """(batch, features) int64: the first real step of each sequence holding each
    feature's largest value (or its first NaN), for values (batch, steps,
    features) of which the first lengths[b] steps are real (src/max_pooling.hpp)."""
    if lengths.shape[0] != values.shape[0]:
        raise ValueError(f"lengths has {lengths.shape[0]} entries for {values.shape[0]} "
                         "sequences")
    index = np.empty((values.shape[0], values.shape[2]), np.int64)
    if index.size == 0:
        return index
    cdef int64_t[:, ::1] index_view = index
    with nogil:
        argmax_over_steps(&values[0, 0, 0], &lengths[0], values.shape[0], values.shape[1],
                          values.shape[2], &index_view[0, 0])
    return index
