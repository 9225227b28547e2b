// The core's own worker threads, which sleep whenever they have no share to run.
//
// The core used to take its threads from OpenMP. Its runtime, libgomp, is one
// per process and is shared with every other library that links it (PyTorch's
// CPU build does), and its wait policy is read once, from the environment, by
// whichever library loads it first: imported after torch, the core's idle
// threads spun between its parallel regions and burned the CPU time its
// working threads needed (an LSTM fit at M took twice the CPU time on a loaded
// machine); imported first, rnnsk's passive policy slowed torch. A pool of its
// own makes the core's threads behave the same in every process, whatever else
// is loaded, and leaves other libraries' runtimes as they set them.
#pragma once

namespace rnnsk {

using ShareFunction = void (*)(void* context, int share);

// Calls function(context, s) for every share s in [0, shares), each on its own
// thread where one is free: the calling thread runs share 0, the pool's
// workers the others. Returns when every share has returned; an exception from
// any share is rethrown here (the first one, after all shares have ended).
// While one call runs, a call from another thread (or from inside a share) runs
// its shares one after the other on its calling thread: a share computes the
// same whichever thread runs it, so results never depend on who ran what.
void run_shares(int shares, ShareFunction function, void* context);

}  // namespace rnnsk
