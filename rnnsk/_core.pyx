# The Cython binding of the C++ core: checks every buffer it hands to C++
# (dtype, C order, shape), releases the GIL for the whole call, and turns C++
# exceptions into Python ones (``except +``). User-facing conversion and
# messages live in rnnsk/_network.py.
cimport numpy as cnp
from cpython.pycapsule cimport PyCapsule_GetName, PyCapsule_GetPointer
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


cdef class NetworkCore:
    """One network of the C++ core, with its workspace and its tape for backward."""

    cdef Network[float]* single
    cdef Network[double]* double_precision
    cdef readonly object dtype
    cdef readonly int cell, input_size, hidden_size, num_layers, directions
    cdef readonly Py_ssize_t parameter_size
    cdef int taped_batch, taped_steps

    def __cinit__(self, int cell, int input_size, int hidden_size, int num_layers,
                  bint bidirectional, double dropout, object dtype):
        cdef NetworkConfig config = make_config(cell, input_size, hidden_size, num_layers,
                                                bidirectional, dropout)
        self.dtype = np.dtype(dtype)
        if self.dtype == np.float32:
            self.single = new Network[float](config, <sgemm_routine>blas_routine("sgemm"))
        elif self.dtype == np.float64:
            self.double_precision = new Network[double](config, <dgemm_routine>blas_routine("dgemm"))
        else:
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")
        self.cell = cell
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.directions = 2 if bidirectional else 1
        last = layout(cell, input_size, hidden_size, num_layers, bidirectional)[-1]
        self.parameter_size = last[1] + int(np.prod(last[2]))
        self.taped_batch = -1
        self.taped_steps = -1

    def __dealloc__(self):
        del self.single
        del self.double_precision

    def forward(self, params, x, lengths, h0, c0, bint training, uint64_t dropout_seed,
                int n_threads, out, h_n, c_n):
        """Run forward, writing into the preallocated out, h_n and c_n."""
        if not isinstance(x, np.ndarray):
            raise TypeError(f"x must be a numpy array, got {type(x).__name__}")
        if x.ndim != 3:
            raise ValueError(f"x must be 3-D (batch, steps, features), got {x.ndim}-D")
        cdef int batch = x.shape[0], steps = x.shape[1]
        if batch < 1 or steps < 1:
            raise ValueError(f"x must hold at least one sequence of one step, got shape {x.shape}")
        cdef bint lstm = self.cell == 2
        state = (self.num_layers * self.directions, batch, self.hidden_size)
        if self.single != NULL:
            run_forward(self.single, <float*>NULL, self.dtype, self.parameter_size, params, x,
                        lengths, h0, c0, training, dropout_seed, n_threads, out, h_n, c_n,
                        state, self.input_size, self.directions * self.hidden_size, lstm)
        else:
            run_forward(self.double_precision, <double*>NULL, self.dtype, self.parameter_size,
                        params, x, lengths, h0, c0, training, dropout_seed, n_threads, out, h_n,
                        c_n, state, self.input_size, self.directions * self.hidden_size, lstm)
        if training:
            self.taped_batch, self.taped_steps = batch, steps
        else:
            self.taped_batch, self.taped_steps = -1, -1

    def backward(self, params, d_out, d_h_n, d_c_n, grads, bint accumulate, int n_threads,
                 d_x, d_h0, d_c0):
        """Backpropagate through the last training forward, writing grads, d_x, d_h0, d_c0."""
        if self.taped_batch < 0:
            raise RuntimeError("backward needs a preceding forward with training=True")
        cdef bint lstm = self.cell == 2
        state = (self.num_layers * self.directions, self.taped_batch, self.hidden_size)
        sequence = (self.taped_batch, self.taped_steps)
        if self.single != NULL:
            run_backward(self.single, <float*>NULL, self.dtype, self.parameter_size, params,
                         d_out, d_h_n, d_c_n, grads, accumulate, n_threads, d_x, d_h0, d_c0,
                         state, sequence, self.input_size, self.directions * self.hidden_size,
                         lstm)
        else:
            run_backward(self.double_precision, <double*>NULL, self.dtype, self.parameter_size,
                         params, d_out, d_h_n, d_c_n, grads, accumulate, n_threads, d_x, d_h0,
                         d_c0, state, sequence, self.input_size,
                         self.directions * self.hidden_size, lstm)


cdef run_forward(Network[real]* net, real* kind, object dtype, Py_ssize_t parameter_size,
                 params, x, lengths, h0, c0, bint training, uint64_t dropout_seed,
                 int n_threads, out, h_n, c_n, tuple state, int input_size, int width,
                 bint lstm):
    cdef ForwardArgs[real] args
    cdef int batch = x.shape[0], steps = x.shape[1]
    args.params = <real*>buffer_of(params, "params", dtype, (parameter_size,))
    args.x = <real*>buffer_of(x, "x", dtype, (batch, steps, input_size))
    args.lengths = <int64_t*>buffer_of(lengths, "lengths", np.int64, (batch,))
    args.batch = batch
    args.steps = steps
    args.h0 = <real*>optional_buffer(h0, "h0", dtype, state)
    args.c0 = <real*>optional_buffer(c0 if lstm else None, "c0", dtype, state)
    args.training = training
    args.dropout_seed = dropout_seed
    args.n_threads = max(1, n_threads)
    args.out = <real*>buffer_of(out, "out", dtype, (batch, steps, width))
    args.h_n = <real*>buffer_of(h_n, "h_n", dtype, state)
    args.c_n = <real*>buffer_of(c_n, "c_n", dtype, state) if lstm else NULL
    with nogil:
        net.forward(args)


cdef run_backward(Network[real]* net, real* kind, object dtype, Py_ssize_t parameter_size,
                  params, d_out, d_h_n, d_c_n, grads, bint accumulate, int n_threads, d_x,
                  d_h0, d_c0, tuple state, tuple sequence, int input_size, int width,
                  bint lstm):
    cdef BackwardArgs[real] args
    args.params = <real*>buffer_of(params, "params", dtype, (parameter_size,))
    args.d_out = <real*>optional_buffer(d_out, "d_output", dtype, sequence + (width,))
    args.d_h_n = <real*>optional_buffer(d_h_n, "d_h_n", dtype, state)
    args.d_c_n = <real*>optional_buffer(d_c_n if lstm else None, "d_c_n", dtype, state)
    args.grads = <real*>buffer_of(grads, "grads", dtype, (parameter_size,))
    args.accumulate = accumulate
    args.n_threads = max(1, n_threads)
    args.d_x = <real*>buffer_of(d_x, "d_x", dtype, sequence + (input_size,))
    args.d_h0 = <real*>buffer_of(d_h0, "d_h0", dtype, state)
    args.d_c0 = <real*>buffer_of(d_c0, "d_c0", dtype, state) if lstm else NULL
    with nogil:
        net.backward(args)
