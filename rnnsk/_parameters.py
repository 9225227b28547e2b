"""How the estimators' ``__init__`` store their parameters.

scikit-learn reads an estimator's parameters from the explicit signature of its
``__init__``, which must store each argument, unchanged, as the attribute of the
same name. Every ``__init__`` here has its signature written out and stores its
arguments with :func:`store_parameters`, rather than a line ``self.x = x`` per
parameter repeated in a dozen classes that share most of their ~35 parameters.

Estimators whose predict reads some parameters again keep the values their fit
used and refuse predictions after ``set_params`` changed them
(:func:`check_parameters_as_fitted`).

``partial_fit`` checks its parameters on every call (:func:`partial_fit_context`).
"""
import functools

import numpy as np
from sklearn import get_config
from sklearn.base import _fit_context


def store_parameters(estimator, arguments):
    """Set every argument of ``__init__`` (its ``locals()``, taken first) as
    an attribute of ``estimator``."""
    for name, value in arguments.items():
        if name != "self":
            setattr(estimator, name, value)


def partial_fit_context(partial_fit):
    """scikit-learn's ``_fit_context`` for a ``partial_fit`` that also checks
    the parameters on the calls after the first.

    ``_fit_context`` checks them on the first call only: ``set_params`` between
    calls (``batch_size=-1``, ``alpha=-5``) would then train with whatever it
    was given. Like ``_fit_context``, nothing is checked under
    ``sklearn.config_context(skip_parameter_validation=True)`` — read here,
    outside the context, which turns it on for the nested calls."""
    in_fit_context = _fit_context(prefer_skip_nested_validation=True)(partial_fit)

    @functools.wraps(partial_fit)
    def checked_partial_fit(estimator, *args, **kwargs):
        if hasattr(estimator, "model_") and not get_config()["skip_parameter_validation"]:
            estimator._validate_params()  # (the first call: _fit_context does)
        return in_fit_context(estimator, *args, **kwargs)

    return checked_partial_fit


def fitted_parameters(estimator, names):
    """The values of the parameters ``names`` that a fit used: kept by
    estimators whose predict reads these parameters again, so that it can
    refuse them changed since (see :func:`check_parameters_as_fitted`)."""
    return {name: getattr(estimator, name) for name in names}


def check_parameters_as_fitted(estimator, fitted):
    """Refuse a prediction after ``set_params`` changed a parameter the fitted
    model depends on (``fitted``, from :func:`fitted_parameters`; None for an
    estimator pickled before it was kept): predicting with it would mix the
    new setting with the model fitted for the old one."""
    if not fitted:
        return
    changed = [f"{name}={getattr(estimator, name)!r} (fitted with {value!r})"
               for name, value in fitted.items() if not _same(getattr(estimator, name), value)]
    if changed:
        raise ValueError(f"{type(estimator).__name__} was fitted with other parameters than it "
                         f"has now: {', '.join(changed)}; its model depends on them, so set "
                         "them back or fit again")


def _same(first, second):
    """Equal values: sequences (tuples, lists, arrays, as joblib reloads them)
    element by element, anything else by ==."""
    if all(isinstance(value, (tuple, list, np.ndarray)) for value in (first, second)):
        return np.array_equal(np.asarray(first, dtype=object), np.asarray(second, dtype=object))
    try:
        return bool(first == second)
    except (TypeError, ValueError):
        return first is second
