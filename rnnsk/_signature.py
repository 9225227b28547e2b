"""``__init__`` methods built from a table of defaults.

scikit-learn reads an estimator's parameters from the signature of its
``__init__``, which must only store them. The recurrent estimators share most of
theirs, so each ``__init__`` is made here from one table instead of being
written out again per class.
"""
import inspect


def init_storing(defaults):
    """An ``__init__(self, *, **defaults)`` that stores every argument as an
    attribute, with a real signature for ``get_params`` and ``help()``."""
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=value)
           for name, value in defaults.items()])

    def __init__(self, **parameters):
        bound = signature.bind(self, **parameters)
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            if name != "self":
                setattr(self, name, value)

    __init__.__signature__ = signature
    __init__.defaults = dict(defaults)
    return __init__
