// Marks functions that both the host compiler and nvcc compile: the elementwise
// math of the device backends is written once and runs on either side.
#pragma once

#ifdef __CUDACC__
#define RNNSK_HOST_DEVICE __host__ __device__
#else
#define RNNSK_HOST_DEVICE
#endif
