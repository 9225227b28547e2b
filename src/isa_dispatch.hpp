// Functions compiled once per instruction set and chosen at run time.
//
// RNNSK_DISPATCH gives a function GCC's target_clones: the compiler emits an
// AVX-512, an AVX2 and a baseline x86-64 body, and the loader picks one for the
// processor (an ifunc), so the installed package runs anywhere and vectorizes
// where it can. `flatten` inlines everything the function calls into each clone,
// so no code is shared between clones (which would otherwise risk running AVX-512
// code on older processors).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(RNNSK_NO_DISPATCH)
#define RNNSK_DISPATCH __attribute__((target_clones("avx512f", "avx2", "default"), flatten))
#else
#define RNNSK_DISPATCH __attribute__((flatten))
#endif
