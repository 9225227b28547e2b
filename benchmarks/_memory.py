"""Peak memory of a training step, measured in a fresh process per library.

Method: the child process imports one library (rnnsk alone, or torch; rnnsk's
estimator module comes along but is not used), builds
the model and the input arrays, and records its resident set size (VmRSS). It
then resets the kernel's high-water mark (writing 5 to /proc/self/clear_refs, so
that VmHWM restarts from the current RSS), creates the Adam optimizer and runs
three training steps. The reported figure is VmHWM - VmRSS before the steps, less
the growth of file-backed pages (RssFile + RssShmem: library code and tables
touched for the first time, such as torch's MKL and oneDNN kernels, which are
shared and stay mapped): the memory a step allocates beyond the weights and the
data, i.e. workspaces, activations kept for backward, gradients, optimizer state
and temporaries, each touched page counted once, whatever allocator either
library uses. The JSON output also has the raw figure.
Where clear_refs cannot be written, VmHWM is not reset and the figure may
understate the peak; the JSON output names the method used.

Run as a script it is that child: ``python _memory.py LIB CELL B T I H THREADS``
prints one JSON object.
"""
import json
import os
import subprocess
import sys
import time

STEPS = 3


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_high_water_mark():
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return "VmHWM reset through /proc/self/clear_refs"
    except OSError:
        return "VmHWM not reset (clear_refs not writable): lower bound"


def measure(make_step):
    """Extra resident memory, in MiB, of creating a step with ``make_step()`` and
    running it STEPS times, without the pages of files (libraries) it mapped in."""
    import gc
    gc.collect()
    method = _reset_high_water_mark()
    before, files_before = _status_kb("VmRSS"), _file_pages_kb()
    step = make_step()
    for _ in range(STEPS):
        step()
    raw = _status_kb("VmHWM") - before
    files = _file_pages_kb() - files_before
    return {"peak_mib": (raw - files) / 1024, "raw_peak_mib": raw / 1024,
            "file_pages_mib": files / 1024, "rss_before_mib": before / 1024,
            "method": method}


def _file_pages_kb():
    return _status_kb("RssFile") + _status_kb("RssShmem")


def _child(library, cell, shape, threads):
    if library == "torch":
        import _process
        _process.import_torch_first()  # as in run.py
    import _workloads as work
    x, d_output = work.make_inputs(shape)
    if library == "torch":
        torch = work.load_torch()
        torch.set_num_threads(threads)
        module = work.torch_recurrent(torch, cell, shape[2], shape[3])
        return measure(lambda: work.torch_train_step(torch, module, x, d_output))
    net = work.rnnsk_network(cell, shape, threads)
    return measure(lambda: work.rnnsk_train_step(net, x, d_output))


def peak_training_memory(library, cell, shape, threads):
    """Run the child for ``library`` ('rnnsk' or 'torch'); its JSON result, or None
    if it failed twice (the errors are printed)."""
    command = [sys.executable, os.path.abspath(__file__), library, cell,
               *map(str, shape), str(threads)]
    for attempt in range(2):  # a second chance: an editable install may be rebuilding
        finished = subprocess.run(command, capture_output=True, text=True)
        if finished.returncode == 0:
            return json.loads(finished.stdout.strip().splitlines()[-1])
        print(f"[memory] {library} {cell} {shape} failed:\n{finished.stderr}", file=sys.stderr)
        if attempt == 0:
            time.sleep(30)
    return None


if __name__ == "__main__":
    library, cell, *numbers = sys.argv[1:]
    *shape, threads = map(int, numbers)
    print(json.dumps(_child(library, cell, tuple(shape), threads)))
