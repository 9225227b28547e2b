"""How the estimators' ``__init__`` store their parameters.

scikit-learn reads an estimator's parameters from the explicit signature of its
``__init__``, which must store each argument, unchanged, as the attribute of the
same name. Every ``__init__`` here has its signature written out and stores its
arguments with :func:`store_parameters`, rather than a line ``self.x = x`` per
parameter repeated in a dozen classes that share most of their ~35 parameters.
"""


def store_parameters(estimator, arguments):
    """Set every argument of ``__init__`` (its ``locals()``, taken first) as
    an attribute of ``estimator``."""
    for name, value in arguments.items():
        if name != "self":
            setattr(estimator, name, value)
