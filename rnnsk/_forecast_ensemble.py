"""The ensemble of a RecurrentForecaster: several networks, one forecast.

As N-BEATS and the M4 winners do, the forecast is the median of those of
networks that differ by their random initialisation (and, with
``window_multiples``, by the length of the window they read); the median is
robust to one network that trained badly. Each member is a single-network
forecaster fitted on the same series; the ensemble's conformal scores (and its
combination with the linear autoregression) come from the *median* forecast
made from the held-out origins every member forecast from (before any refit).
"""
import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

__all__ = ["member_forecasters", "median_held_out"]


def member_forecasters(forecaster, window_length, longest, scalings):
    """Unfitted single-network copies of ``forecaster``: member k has seed
    ``random_state + k`` when that is an int, else a seed drawn from the
    generator (clone copies a generator, so passing it on would give every
    member the same draws), scales its windows by
    ``scalings[k % len(scalings)]`` (window_scaling as a tuple, 'auto' resolved)
    and reads ``window_length * window_multiples[k % len(window_multiples)]``
    steps (``window_length`` as resolved by the forecaster), at most ``longest``
    (the longest window every member can train on and forecast every series
    from) but never fewer than ``window_length``."""
    seed, multiples = forecaster.random_state, forecaster.window_multiples
    generator = None if isinstance(seed, (int, np.integer)) else check_random_state(seed)
    members = []
    for k in range(forecaster.n_estimators):
        length = int(round(window_length * multiples[k % len(multiples)]))
        length = max(min(length, longest), window_length)
        member_seed = ((int(seed) + k) % 2**32 if generator is None
                       else int(generator.randint(2**32)))
        members.append(clone(forecaster).set_params(
            n_estimators=1, window_multiples=(1,), window_length=length,
            window_scaling=scalings[k % len(scalings)], random_state=member_seed))
    return members


def median_held_out(members):
    """The median of the members' network forecasts from the held-out origins
    all of them forecast from, with member 0's linear forecasts, the truth and
    the scale of member 0's input window; None when there is none."""
    records = [member._held_out for member in members]
    if any(record is None for record in records):
        return None
    # One integer per (series, origin) pair.
    stride = 1 + max(record["ends"].max() for record in records)
    keys = [record["series"] * stride + record["ends"] for record in records]
    common = keys[0]
    for key in keys[1:]:
        common = np.intersect1d(common, key)
    if len(common) == 0:
        return None
    forecasts = np.median([_rows(record["forecasts"], key, common)
                           for record, key in zip(records, keys)], axis=0)
    first = {name: None if records[0][name] is None else _rows(records[0][name], keys[0], common)
             for name in ("truth", "scale", "linear")}
    return dict(first, forecasts=forecasts)


def _rows(values, key, wanted):
    """The rows of ``values`` whose ``key`` is each of ``wanted``."""
    order = np.argsort(key)
    return values[order[np.searchsorted(key, wanted, sorter=order)]]
