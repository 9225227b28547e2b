"""The one place that decides how many threads the C++ core runs on."""
import os

from joblib import cpu_count


def effective_n_threads(n_threads):
    """Threads for the core's OpenMP loops.

    ``None`` means every usable core: ``OMP_NUM_THREADS`` when it is set (joblib
    sets it inside its workers, so nested parallelism does not oversubscribe),
    otherwise the physical cores this process may use, cgroup quotas included.
    A negative value counts back from that, as in joblib: -1 is all of them.
    """
    from_environment = os.environ.get("OMP_NUM_THREADS", "").strip()
    if from_environment.isdigit() and int(from_environment) > 0:
        available = int(from_environment)
    else:
        available = cpu_count(only_physical_cores=True)
    if n_threads is None:
        return available
    if n_threads < 0:
        return max(1, available + n_threads + 1)
    return n_threads
