"""The one place that decides how many threads the C++ core runs on."""
import functools
import os

from joblib import cpu_count


@functools.lru_cache(maxsize=None)
def usable_cores():
    """Logical cores this process may run on: its CPU affinity and cgroup quota
    included (read once; the core asks for threads at every call)."""
    return cpu_count(only_physical_cores=False)


def capped_n_threads(n_threads):
    """``n_threads`` (a positive int), never more than :func:`usable_cores`.

    More threads than cores only make threads wait for each other, and
    thousands of them (a mistyped request) only cost memory, or are refused
    under a process limit. So a larger request is capped here.
    """
    return min(int(n_threads), usable_cores())


def effective_n_threads(n_threads):
    """Threads for the core's parallel loops.

    ``None`` means every usable core: ``OMP_NUM_THREADS`` when it is set (joblib
    sets it inside its workers, so nested parallelism does not oversubscribe),
    otherwise the physical cores this process may use, cgroup quotas included.
    A negative value counts back from that, as in joblib: -1 is all of them.
    Whatever the request, the result is capped at the usable cores.
    """
    from_environment = os.environ.get("OMP_NUM_THREADS", "").strip()
    if from_environment.isdigit() and int(from_environment) > 0:
        available = capped_n_threads(int(from_environment))
    else:
        available = cpu_count(only_physical_cores=True)
    if n_threads is None:
        return available
    if n_threads < 0:
        return max(1, available + n_threads + 1)
    return capped_n_threads(n_threads)
