# Declarations of the C++ core (src/network.hpp, src/core.hpp) for the Cython binding.
from libc.stdint cimport int64_t, uint64_t
from libcpp cimport bool
from libcpp.memory cimport unique_ptr
from libcpp.string cimport string
from libcpp.vector cimport vector

ctypedef void (*sgemm_routine)(char*, char*, int*, int*, int*, float*, float*, int*,
                               float*, int*, float*, float*, int*) noexcept nogil
ctypedef void (*dgemm_routine)(char*, char*, int*, int*, int*, double*, double*, int*,
                               double*, int*, double*, double*, int*) noexcept nogil

cdef extern from "network.hpp" namespace "rnnsk" nogil:
    cdef enum class CellKind(int):
        pass
    CellKind cell_from_int(int) except +
    int rnnsk_gate_count "rnnsk::gate_count"(CellKind) except +

    cdef cppclass NetworkConfig:
        CellKind cell
        int input_size
        int hidden_size
        int num_layers
        bool bidirectional
        double dropout

    cdef cppclass ParameterEntry:
        string name
        long offset
        int rows
        int cols

    vector[ParameterEntry] parameter_layout(const NetworkConfig&) except +
    long parameter_count(const NetworkConfig&) except +

    # The core's arguments with untyped buffers (src/core.hpp); the core
    # reads them as elements of its own precision.
    cdef cppclass ForwardArgs "rnnsk::ForwardArgs<void>":
        void* x
        int64_t* lengths
        int batch
        int steps
        void* h0
        void* c0
        bool training
        uint64_t dropout_seed
        int n_threads
        void* out
        void* h_n
        void* c_n

    cdef cppclass BackwardArgs "rnnsk::BackwardArgs<void>":
        void* d_out
        void* d_h_n
        void* d_c_n
        bool accumulate
        int n_threads
        void* d_x
        void* d_h0
        void* d_c0

cdef extern from "core.hpp" namespace "rnnsk" nogil:
    cdef cppclass Core:
        void forward(const ForwardArgs&) except +
        void backward(const BackwardArgs&) except +
        double host_bytes(long, long, long, bool)
        void* host_parameters()
        void* host_gradients()
        void upload_parameters(const void*) except +
        void download_parameters(void*) except +
        void upload_gradients(const void*) except +
        void download_gradients(void*) except +
        void upload_optimizer_state(const void*, const void*) except +
        void download_optimizer_state(void*, void*) except +
        void reset_optimizer_state() except +
        double gradient_sum_of_squares() except +
        void scale_gradients(double) except +
        double add_weight_decay(double) except +
        bool propose_adam(double, double, double, double) except +
        bool propose_sgd(double, double, bool) except +
        void commit() except +

    const int kCpuDevice
    const int kEmulatedDevice
    unique_ptr[Core] make_core(const NetworkConfig&, bool, int, sgemm_routine,
                                  dgemm_routine) except +
    int cuda_device_count() except +

cdef extern from "host_optimizer.hpp" namespace "rnnsk" nogil:
    cdef cppclass HostElements:
        long count
        const int64_t* rows
        long width
        long table_rows
        bool double_precision

    cdef cppclass HostArrays:
        const void* params
        const void* grads
        const void* state[2]
        void* new_params
        void* new_state[2]

    # (Named apart from the Python functions of _core.pyx that call them.)
    bool adam_on_host "rnnsk::propose_adam_on_host"(const HostElements&, const HostArrays&,
                                                    double, double, double, double) except +
    bool sgd_on_host "rnnsk::propose_sgd_on_host"(const HostElements&, const HostArrays&,
                                                  double, double, bool) except +

cdef extern from "incremental.hpp" namespace "rnnsk" nogil:
    cdef cppclass IncrementalStep[T]:
        IncrementalStep(const NetworkConfig&, sgemm_routine) except +
        IncrementalStep(const NetworkConfig&, dgemm_routine) except +
        void prepare(const T*) except +
        void step(const T*, int, T*, T*) except +

cdef extern from "crf.hpp" namespace "rnnsk" nogil:
    cdef cppclass CrfBatch[T]:
        const T* emissions
        const int64_t* lengths
        int batch
        int steps
        int labels
        const T* transitions
        const T* start
        const T* end
        int n_threads

    cdef cppclass CrfGradients[T]:
        const T* scale
        T* emissions
        T* transitions
        T* start
        T* end

    void crf_negative_log_likelihood[T](const CrfBatch[T]&, const int64_t*, T*,
                                        const CrfGradients[T]*) except +
    void crf_marginals[T](const CrfBatch[T]&, T*) except +
    void crf_viterbi[T](const CrfBatch[T]&, int64_t*, T*) except +

cdef extern from "max_pooling.hpp" namespace "rnnsk" nogil:
    void argmax_over_steps[T](const T*, const int64_t*, int, int, int, int64_t*) except +
