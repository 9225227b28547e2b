"""Model search on a Dask cluster: joblib hands GridSearchCV's fits to Dask
workers, and the results are those of the serial search."""
import warnings

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from joblib import parallel_backend  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from rnnsk import RecurrentClassifier  # noqa: E402
from rnnsk._threads import effective_n_threads  # noqa: E402


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6, 2))
    y = (X[:, -2:, 0].sum(axis=1) > 0).astype(int)
    return X, y


def _search(**kwargs):
    return GridSearchCV(RecurrentClassifier(hidden_size=8, max_iter=5, random_state=0),
                        {"cell": ["lstm", "gru"], "hidden_size": [4, 8]}, cv=2, **kwargs)


def test_grid_search_on_a_local_dask_cluster_matches_the_serial_search():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serial = _search(n_jobs=1).fit(X, y)
        # Two workers of one thread each: with the core's threads following
        # OMP_NUM_THREADS (which Dask sets to 1 in its workers), workers x threads
        # never exceed the two cores.
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            # Functions importable in the workers (this test module is not).
            threads = client.run(effective_n_threads, None)
            with parallel_backend("dask"):
                distributed_search = _search(n_jobs=-1).fit(X, y)
    assert sorted(threads.values()) == [1, 1]
    np.testing.assert_array_equal(distributed_search.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    assert distributed_search.best_params_ == serial.best_params_
    np.testing.assert_array_equal(distributed_search.predict(X), serial.predict(X))
