"""The rnnsk side of the accuracy suite: each cell's classifier or regressor at its
defaults (only ``random_state`` set, plus the parameters given with ``--params``).

Numeric series go in as they are, in raw units, without a SequenceScaler: the
defaults have to cope with them. Text goes through a per-character TextSequencer
and an embedding of 64 dimensions (Chinese has no spaces between words).
"""
import ast

from sklearn.pipeline import make_pipeline

import rnnsk

CELLS = ("LSTM", "GRU", "RNN")
# Text runs only the LSTM by default: the setting of issue 17, and a char-level
# fit over the whole review set is long; --estimators GRU RNN adds the others.
DEFAULT_CELLS = {"series": CELLS, "text": ("LSTM",)}
EMBEDDING_DIM = 64


def estimator_class(cell, task):
    suffix = "Classifier" if task == "classification" else "Regressor"
    return getattr(rnnsk, cell + suffix)


def char_sequencer():
    """A TextSequencer whose tokens are single characters: ``analyzer='char'`` where
    this rnnsk has it, else the same through a per-character tokenizer."""
    if "analyzer" in rnnsk.TextSequencer().get_params():
        return rnnsk.TextSequencer(analyzer="char")
    return rnnsk.TextSequencer(tokenizer=list, token_pattern=None)


def make_recurrent(cell, task, kind, seed, params):
    """The unfitted rnnsk model of ``cell`` for a data set's task and kind."""
    if kind == "text":
        model = estimator_class(cell, task)(embedding_dim=EMBEDDING_DIM, random_state=seed,
                                            **params)
        return make_pipeline(char_sequencer(), model)
    return estimator_class(cell, task)(random_state=seed, **params)


def parse_params(pairs):
    """``['readout=mean', 'max_iter=50']`` -> ``{'readout': 'mean', 'max_iter': 50}``;
    values are Python literals where they parse as one, strings otherwise."""
    params = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.isidentifier():
            raise ValueError(f"--params takes key=value pairs, got {pair!r}")
        try:
            params[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            params[key] = text
    return params


def call_text(name, params):
    """How the estimator ``name`` with ``params`` is written in Python, for
    reports: ``call_text('GRURegressor', {'alpha': 0.01})`` -> ``GRURegressor(alpha=0.01)``."""
    return f"{name}({', '.join(f'{key}={value!r}' for key, value in params.items())})"


def check_params(params, cells, tasks):
    """Raise ValueError naming the parameter when ``params`` is not accepted by every
    rnnsk estimator it will be given to (an unknown name or a value out of range), so
    that a typo stops the run before any fit."""
    fixed = {"random_state", "embedding_dim"} & params.keys()
    if fixed:
        raise ValueError(f"--params cannot set {sorted(fixed)}: the suite sets them itself")
    for cell in cells:
        for task in tasks:
            estimator = estimator_class(cell, task)()
            unknown = sorted(params.keys() - estimator.get_params().keys())
            if unknown:
                raise ValueError(f"--params: {type(estimator).__name__} has no parameter "
                                 f"{', '.join(unknown)}")
            estimator.set_params(**params)._validate_params()
