"""One fit of an estimator at a time.

Predictions may run in other threads while an estimator trains (its steps and
the predictions take turns on the model), but two fits of one estimator at once
would interleave their steps and their attributes: one step's backward read
the other's tape, a TypeError deep in the model. The second is refused.
"""
import threading
from contextlib import contextmanager


@contextmanager
def one_fit_at_a_time(estimator):
    """Hold the estimator's fit lock for a fit, or raise RuntimeError if
    another thread's fit holds it. The lock lives in the estimator's
    ``__dict__`` and is never pickled (:func:`without_fit_lock`)."""
    fitting = estimator.__dict__.setdefault("_fitting_lock", threading.Lock())
    if not fitting.acquire(blocking=False):
        raise RuntimeError(f"this {type(estimator).__name__} is being fitted in another "
                           "thread: fit a clone (sklearn.base.clone) in each thread")
    try:
        yield
    finally:
        fitting.release()


def without_fit_lock(state):
    """A copy of a pickled ``state`` without the fit lock (a lock cannot be
    pickled, and the live estimator keeps its own)."""
    state = dict(state)
    state.pop("_fitting_lock", None)
    return state
