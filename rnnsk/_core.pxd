# Declarations of the C++ core (src/network.hpp) for the Cython binding.
from libc.stdint cimport int64_t, uint64_t
from libcpp cimport bool
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

    cdef cppclass ForwardArgs[T]:
        T* params
        T* x
        int64_t* lengths
        int batch
        int steps
        T* h0
        T* c0
        bool training
        uint64_t dropout_seed
        int n_threads
        T* out
        T* h_n
        T* c_n

    cdef cppclass BackwardArgs[T]:
        T* params
        T* d_out
        T* d_h_n
        T* d_c_n
        T* grads
        bool accumulate
        int n_threads
        T* d_x
        T* d_h0
        T* d_c0

    cdef cppclass Network[T]:
        Network(const NetworkConfig&, sgemm_routine) except +
        Network(const NetworkConfig&, dgemm_routine) except +
        void forward(const ForwardArgs[T]&) except +
        void backward(const BackwardArgs[T]&) except +
