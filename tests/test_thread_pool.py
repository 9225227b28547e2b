"""The core's own thread pool: idle threads sleep whatever OpenMP runtime the process
loaded, and a forked child gets a pool of its own.

Each case runs in a fresh interpreter, so the process's threads and runtimes are
its own. The work is big enough for the core to split it between two threads.
"""
import os
import subprocess
import sys
import textwrap

import pytest

TIMEOUT = 300  # seconds; a hang fails the test instead of the run

FORWARD = textwrap.dedent("""
    import numpy as np
    from rnnsk import RecurrentNetwork
    net = RecurrentNetwork("lstm", 16, 128, n_threads=2, random_state=0,
                           dtype=np.float32)
    X = np.random.default_rng(0).standard_normal((64, 40, 16)).astype(np.float32)
    def forward():
        return net.forward(X, training=True)[0]
""")


def run_child(code, **environment):
    env = {**os.environ, **environment}
    # -P: run from the checkout (as CI does), `-c` would import the source tree first.
    done = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True,
                          timeout=TIMEOUT, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="libgomp, fork: Linux")
def test_idle_threads_sleep_even_when_openmp_was_loaded_to_spin():
    """libgomp loaded first with OMP_WAIT_POLICY=ACTIVE (as a user or another
    library may have it) makes OpenMP threads spin when idle; the core's threads
    are not OpenMP's, so the process uses no CPU while it sleeps between calls."""
    code = textwrap.dedent("""
        import ctypes, ctypes.util, time
        name = ctypes.util.find_library("gomp")
        if name:
            ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
    """) + FORWARD + textwrap.dedent("""
        forward()
        started = time.process_time()
        time.sleep(0.5)
        print(time.process_time() - started)
    """)
    idle_cpu = float(run_child(code, OMP_WAIT_POLICY="ACTIVE").split()[-1])
    assert idle_cpu < 0.1, f"{idle_cpu:.2f} s of CPU in 0.5 s of sleep: threads spin"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_computes_on_two_threads_as_its_parent():
    """The child inherits no worker threads: its first parallel call starts its own."""
    code = FORWARD + textwrap.dedent("""
        import os, signal, time
        expected = forward()
        pid = os.fork()
        if pid == 0:
            same = np.array_equal(forward(), expected) and np.array_equal(forward(), expected)
            os._exit(0 if same else 3)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                print(os.waitstatus_to_exitcode(status))
                break
            time.sleep(0.05)
        else:  # a child waiting for threads it did not inherit
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print("hung")
    """)
    assert run_child(code).split()[-1] == "0"
