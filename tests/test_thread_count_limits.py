"""Thread counts the system cannot provide: the OpenMP runtime ends the whole
process (no Python exception) when it fails to create a thread, so the core
never asks for more threads than this process has cores. Reproduced in a child
process whose address space is limited, so thousands of thread stacks cannot
exist."""
import os
import subprocess
import sys
import textwrap

import pytest

resource = pytest.importorskip("resource")

SCRIPT = textwrap.dedent("""
    import resource
    limit = 3 * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import warnings
    import numpy as np
    from rnnsk import LSTMClassifier, RecurrentNetwork
    warnings.simplefilter("ignore")
    # Enough sequences and work that the core would split them over every thread.
    X = np.random.default_rng(0).standard_normal((4000, 5, 8)).astype(np.float32)
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    {body}
""")


def run_limited(body, **environment):
    env = {**os.environ, **environment}
    return subprocess.run([sys.executable, "-c", SCRIPT.format(body=body)],
                          capture_output=True, text=True, timeout=300, env=env,
                          cwd=os.path.dirname(__file__))


def test_network_with_thousands_of_threads_runs_capped():
    done = run_limited(textwrap.dedent("""
        net = RecurrentNetwork("lstm", 8, 32, n_threads=4000)
        out, _, _ = net.forward(X, training=True)
        net.backward(np.ones_like(out))
        assert net.n_threads == 4000  # the request is kept; each call is capped
        print("finite", bool(np.isfinite(out).all()))
    """))
    assert done.returncode == 0, done.stderr
    assert "finite True" in done.stdout


@pytest.mark.parametrize("setting", ["n_threads=4000", "omp_num_threads"])
def test_estimator_with_thousands_of_threads_runs_capped(setting):
    environment = {}
    n_threads = "4000"
    if setting == "omp_num_threads":
        environment["OMP_NUM_THREADS"] = "4000"
        n_threads = "None"
    done = run_limited(textwrap.dedent(f"""
        clf = LSTMClassifier(hidden_size=32, max_iter=1, batch_size=2000, random_state=0,
                             n_threads={n_threads}).fit(X, y)
        print("predicted", clf.predict(X[:1500]).shape)
    """), **environment)
    assert done.returncode == 0, done.stderr
    assert "predicted (1500,)" in done.stdout
