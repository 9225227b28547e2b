"""Turns what users pass as sequences into what the core reads.

Every accepted form ends as a padded batch-first array plus the length of each
sequence; the core never reads the padding. All checks (rank, finiteness, empty
sequences, feature counts) happen here, before any C++ runs, with messages in
scikit-learn's wording.
"""
import warnings
from collections.abc import Mapping
from numbers import Integral
from dataclasses import dataclass

import numpy as np
from scipy.sparse import issparse
from sklearn.utils import check_array
from sklearn.utils.validation import _get_feature_names


class SequenceInputMixin:
    """Tells scikit-learn that an estimator takes 3-D arrays (sequences)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class SequenceOutputMixin:
    """``set_output`` for transformers whose output is sequences (3-D arrays,
    ragged lists, token ids), which are not tables: any setting is accepted
    and X's own form returned, so that ``Pipeline.set_output`` works with them."""

    def set_output(self, *, transform=None):
        """Accept any output setting and keep returning sequences in their own
        form (a DataFrame cannot hold a 3-D array or ragged sequences)."""
        return self


@dataclass
class Sequences:
    """A padded batch: ``data`` is (n, T, F) floats, or (n, T) token ids, and
    ``lengths`` (n,) int64 says how many leading steps of each row are real."""

    data: np.ndarray
    lengths: np.ndarray
    is_table: bool  # came as a 2-D array: one feature, one column per step

    def __len__(self):
        return self.data.shape[0]

    @property
    def n_features(self):
        return 1 if self.data.ndim == 2 else self.data.shape[2]

    def take_rows(self, indices):
        """The sequences at ``indices``, keeping the padded width."""
        return Sequences(self.data[indices], self.lengths[indices], self.is_table)

    def take(self, indices):
        """The sequences at ``indices``, padded only to their own longest length."""
        lengths = self.lengths[indices]
        steps = int(lengths.max()) if len(lengths) else 1
        return Sequences(np.ascontiguousarray(self.data[indices, :steps]), lengths,
                         self.is_table)


def as_sequence_list(X):
    """X as a list when it is a 1-D object array (or pandas Series) of sequences,
    which is what numpy and pandas make of ragged ones, or a table of them (see
    _nested_rows); anything else as it is."""
    dtype = getattr(X, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "O" and getattr(X, "ndim", None) == 1:
        rows = list(X)
        if rows and all(np.ndim(row) >= 1 for row in rows):
            return rows
    nested = _nested_rows(X)
    return X if nested is None else nested


def _nested_rows(X):
    """The sequences of a table whose every cell is a sequence: an (n, c) object
    array, or a DataFrame with a pandas Series (or array) in every cell, the
    "nested" form of sktime and aeon, one column per channel (a one-column one is
    also what BaggingClassifier passes on of a column of sequences). Row i is
    sequence i, its channels side by side; a row of one cell is that cell as it
    is (a (T, F) array, or token ids). None for any other X."""
    if getattr(X, "ndim", None) != 2 or 0 in getattr(X, "shape", (0,)):
        return None
    kinds = {getattr(dtype, "kind", None)
             for dtype in getattr(X, "dtypes", [getattr(X, "dtype", None)])}
    if kinds != {"O"}:
        return None
    cells = np.asarray(X, dtype=object)
    if not all(np.ndim(cell) >= 1 for cell in cells.flat):
        return None
    rows = []
    for i, row in enumerate(cells):
        channels = [np.asarray(cell) for cell in row]
        if len(channels) == 1:
            rows.append(channels[0])
            continue
        shapes = [channel.shape for channel in channels]
        if any(len(shape) != 1 for shape in shapes) or len(set(shapes)) > 1:
            raise ValueError(f"X[{i}] holds channels of shapes {shapes}: in a table of "
                             "sequences, each row's cells are the channels of one sequence, "
                             "1-D and of one length")
        rows.append(np.column_stack(channels))
    return rows


def check_int(value, name, minimum, maximum=None, why=""):
    """``value`` as an int in [minimum, maximum] (None: no maximum; ``why``
    says where the maximum comes from), else a TypeError or ValueError naming
    it. A bool is no int here."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum} ({why}), got {value}")
    return int(value)


def feature_names_source(X, rows=None, name="X"):
    """What scikit-learn's ``_check_feature_names`` is to read the names of the
    features from (see _names_source), its names checked now: names it would
    refuse (columns of mixed types) raise here, before the caller changes
    anything, and not once a fit has replaced the model."""
    source = _names_source(X, rows, name)
    _get_feature_names(source)
    return source


def _names_source(X, rows, name):
    """What scikit-learn's ``_check_feature_names`` is to read the names of the
    features from: X itself (a DataFrame of univariate sequences has the time
    steps as columns), or, for sequences given as DataFrames (a list or Series
    of them), the first of them once every one is checked to have its columns
    in its order: a column swapped between fit and predict was read silently.
    ``rows`` is ``as_sequence_list(X)`` if the caller has it (a table of
    sequences is then not converted again)."""
    items = as_sequence_list(X) if rows is None else rows
    if items is not X and getattr(X, "ndim", None) == 2:
        # A table of sequences: its columns name the channels, unless its one
        # column holds sequences of several features each (DataFrames among
        # them, which name their own).
        column = np.asarray(X, dtype=object)[:, 0]
        width = X.shape[1]
        if width == 1 and hasattr(column[0], "columns"):
            items = list(column)
        elif all(np.shape(item)[1:] in ((), (width,)) for item in items):
            return X
        else:
            return items
    if (not isinstance(items, (list, tuple))
            or not any(hasattr(item, "columns") for item in items)):
        return X
    # (an unnamed first sequence has no columns: a named one after it differs)
    columns = list(getattr(items[0], "columns", []))
    for i, item in enumerate(items):
        found = list(getattr(item, "columns", []))
        if found != columns:
            raise ValueError(f"{name}[{i}] has the columns {found}, but {name}[0] has "
                             f"{columns}: every sequence needs the same features in the "
                             "same order")
    return items[0]


def _refuse_text(X, name, expected):
    """A ValueError saying how text reaches the estimators, if X is text; a
    TypeError for a mapping (whose iteration gives its keys, read as text; a
    sparse DOK matrix is one too, and gets the sparse error later)."""
    if isinstance(X, Mapping) and not issparse(X):
        raise TypeError(f"{name} must hold {expected} (an array or a list of arrays), got "
                        f"a {type(X).__name__}")
    if is_text(X):
        raise ValueError(
            f"{name} holds text (str) where {expected} are expected: documents become "
            "token-id sequences with TextSequencer, which an estimator reads through an "
            "embedding, e.g. make_pipeline(TextSequencer(), LSTMClassifier(embedding_dim=64))")


def is_text(X, depth=2):
    """Whether X is text, documents or sequences of string tokens, judged by its
    first item (``depth`` levels down) being a string that is not a number
    (strings of numbers are numbers to check_array, and here)."""
    if isinstance(X, (str, bytes)):
        return not _is_number(X)
    if hasattr(X, "columns") and hasattr(X, "iloc"):
        X = X.iloc[:1].to_numpy()  # a DataFrame, whose iteration gives its column names
    dtype = getattr(X, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind in "US":
        return X.size > 0 and not _is_number(X.flat[0])
    if isinstance(dtype, np.dtype) and dtype.kind != "O":
        return False  # numbers: nothing to look into
    if depth == 0:
        return False
    try:
        first = next(iter(X))
    except (TypeError, StopIteration):
        return False
    return is_text(first, depth - 1)


def _is_number(text):
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _refuse_empty_list(X, name):
    """An empty list is no sequence at all; check_array would read it as a 1-D
    table and advise reshaping it."""
    if isinstance(X, (list, tuple)) and len(X) == 0:
        raise ValueError(f"{name} is empty: at least 1 sequence is required")


def _with_missing_as_nan(sequence):
    """A pandas sequence of nullable dtypes (Float64, Int64) with pd.NA read as
    NaN, which the checks then name, as check_array does for a DataFrame
    (numpy cannot convert pd.NA to a float); anything else as it is."""
    if not type(sequence).__module__.startswith("pandas"):
        return sequence  # (other frames, e.g. polars', have no na_value)
    dtypes = getattr(sequence, "dtypes", None)  # a DataFrame's Series of them, or one
    if dtypes is None:
        return sequence
    dtypes = list(dtypes) if hasattr(dtypes, "__iter__") else [dtypes]
    if all(isinstance(dtype, np.dtype) for dtype in dtypes):
        return sequence
    return sequence.to_numpy(na_value=np.nan)


def is_ragged_list(X):
    if isinstance(X, np.ndarray) or hasattr(X, "__array__") or not isinstance(X, (list, tuple)):
        return False
    shapes = {np.shape(x) for x in X}
    return len(shapes) > 1


def _pad(sequences, dtype, trailing_shape):
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    padded = np.zeros((len(sequences), int(lengths.max())) + trailing_shape, dtype=dtype)
    for i, sequence in enumerate(sequences):
        padded[i, :len(sequence)] = sequence
    return padded, lengths


def check_sequences(X, *, dtype, name="X"):
    """Validate real-valued sequences, as ``dtype`` (or, for a list of dtypes
    as scikit-learn's ``check_array`` takes, in X's own if it is one of them,
    else the first).

    Accepts a 3-D array (n_samples, n_timesteps, n_features); a 2-D array
    (n_samples, n_timesteps), read as univariate sequences; or a list of 2-D
    arrays (n_timesteps_i, n_features) (or 1-D arrays, univariate) of different
    lengths; a 1-D object array or pandas Series of sequences is read as a list.
    """
    _refuse_text(X, name, "sequences of numbers")
    X = as_sequence_list(X)
    _refuse_empty_list(X, name)
    if isinstance(X, (list, tuple)):
        X = [_with_missing_as_nan(s) for s in X]
    if is_ragged_list(X):
        sequences = [np.asarray(s) for s in X]
        for i, s in enumerate(sequences):
            if s.ndim not in (1, 2):
                raise ValueError(f"{name}[{i}] must be a 1-D or 2-D array (n_timesteps[, "
                                 f"n_features]), got {s.ndim}-D")
            if s.shape[0] == 0:
                raise ValueError(f"{name}[{i}] is an empty sequence; every sequence needs at "
                                 "least one time step")
        sequences = [s.reshape(len(s), -1) for s in sequences]
        widths = {s.shape[1] for s in sequences}
        if len(widths) > 1:
            raise ValueError(f"sequences in {name} have different numbers of features: "
                             f"{sorted(widths)}")
        # One check over all steps at once gives scikit-learn's messages for
        # NaN, infinity, complex and non-numeric values (and, for a list of
        # dtypes, the one chosen).
        dtype = check_array(np.concatenate(sequences), dtype=dtype, input_name=name).dtype
        data, lengths = _pad([s.astype(dtype, copy=False) for s in sequences], dtype,
                             (widths.pop(),))
        return Sequences(data, lengths, is_table=False)

    if not hasattr(X, "ndim") and not issparse(X):
        X = np.asarray(X)  # lists of equal-length sequences, array-likes
    if X.ndim > 3:  # check_array's message would ask for at most 2
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_timesteps), a 3-D array "
                         f"(n_samples, n_timesteps, n_features) or a list of sequences, got "
                         f"a {X.ndim}-D array of shape {X.shape}")
    if X.ndim == 3:
        X = np.asarray(X)
        n, steps, features = X.shape
        if n == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                             "of 1 is required.")
        if steps == 0 or features == 0:
            raise ValueError(f"{name} has shape {X.shape}: sequences need at least one time "
                             "step and one feature")
        flat = check_array(X.reshape(n * steps, features), dtype=dtype, input_name=name)
        data = np.ascontiguousarray(flat.reshape(n, steps, features))
        return Sequences(data, np.full(n, steps, dtype=np.int64), is_table=False)

    table = check_array(X, dtype=dtype, input_name=name)
    data = np.ascontiguousarray(table[:, :, np.newaxis])
    return Sequences(data, np.full(len(table), table.shape[1], dtype=np.int64), is_table=True)


def check_tokens(X, *, vocabulary_size=None, name="X"):
    """Validate integer token ids: a 2-D int array (n_samples, n_timesteps) or a
    list of 1-D int arrays of different lengths. Ids must be in
    [0, vocabulary_size) when a vocabulary size is known."""
    _refuse_text(X, name, "token ids")
    X = as_sequence_list(X)
    _refuse_empty_list(X, name)
    if is_ragged_list(X):
        sequences = [np.asarray(s) for s in X]
        for i, s in enumerate(sequences):
            if s.ndim != 1 or s.shape[0] == 0:
                raise ValueError(f"{name}[{i}] must be a non-empty 1-D array of token ids, got "
                                 f"shape {s.shape}")
        ids = _as_token_ids(np.concatenate(sequences), name)
        data, lengths = _pad(sequences, np.int64, ())
    else:
        if np.ndim(X) == 3:  # check_array would ask for at most 2 dimensions
            raise ValueError(f"{name} must hold integer token ids when embedding_dim is set: "
                             "a 2-D array (n_samples, n_timesteps) or a list of 1-D arrays, "
                             f"got a 3-D array of shape {np.shape(X)} (sequences of feature "
                             "vectors: leave embedding_dim=None)")
        if np.ndim(X) == 2 and np.shape(X)[0] and not np.shape(X)[1]:
            # check_array would speak of 0 features
            raise ValueError(f"{name} holds only empty sequences; every sequence needs at "
                             "least one token id")
        data = _as_token_ids(check_array(X, dtype=None, input_name=name), name)
        lengths = np.full(len(data), data.shape[1], dtype=np.int64)
        ids = data
    if ids.min() < 0:
        raise ValueError(f"token ids in {name} must be non-negative, found {ids.min()}")
    if vocabulary_size is not None and ids.max() >= vocabulary_size:
        raise ValueError(f"token id {ids.max()} in {name} is outside the vocabulary of "
                         f"{vocabulary_size} tokens the model was fitted with")
    return Sequences(np.ascontiguousarray(data, dtype=np.int64), lengths, is_table=False)


def _as_token_ids(values, name):
    values = np.asarray(values)
    if values.dtype.kind == "O":
        # Ids in an object array (a pandas column, ragged input stacked) are
        # read by the type numpy finds for them: ints up to int64 stay ints.
        values = np.asarray(values.tolist())
        if values.dtype.kind == "O":  # (None, mixed types, or ints beyond int64)
            raise ValueError(f"{name} must hold integer token ids below 2**63 when "
                             "embedding_dim is set; numpy reads its values as objects (ids too "
                             "large, None, or values of mixed types)")
    if values.dtype.kind in "US":
        raise ValueError(f"{name} holds strings where integer token ids are expected "
                         "(embedding_dim is set): text becomes token ids with TextSequencer, "
                         "or pass the ids as integers")
    if values.dtype.kind in "uf" and values.size and float(np.max(values)) >= 2.0**63:
        raise ValueError(f"token id {np.max(values)} in {name} is outside the vocabulary "
                         "(ids must be below 2**63)")
    if values.dtype.kind in "iu":
        return values.astype(np.int64, copy=False)
    if values.dtype.kind == "f" and np.all(np.isfinite(values)) and np.all(
            values == np.round(values)):
        return values.astype(np.int64)
    raise ValueError(f"{name} must hold integer token ids when embedding_dim is set, got "
                     f"dtype {values.dtype}")


def feature_signature(sequences):
    """What must not change between fit and predict: ``n_features_in_`` (to
    scikit-learn the columns of a 2-D array are its features; here they are the
    steps of univariate sequences), the features of each step, and whether X
    came as a 2-D table."""
    width = sequences.data.shape[1] if sequences.is_table else sequences.n_features
    return width, sequences.n_features, sequences.is_table


def check_same_features(sequences, fitted_signature, estimator_name, name="X"):
    """Raise the scikit-learn error when X (``name``) has other features than at
    fit."""
    n_features_in, step_features, fitted_on_table = fitted_signature
    width, features, is_table = feature_signature(sequences)
    if features != step_features:
        hint = ""
        if is_table and width == step_features:
            hint = (f" A 2-D X is read as univariate sequences; to pass one sequence of "
                    f"{step_features} features, wrap it: [x] or x[np.newaxis].")
        raise ValueError(f"{name} has {features} features per time step, but {estimator_name} is "
                         f"expecting {step_features} features as input.{hint}")
    if is_table and fitted_on_table and width != n_features_in:
        raise ValueError(f"{name} has {width} features, but {estimator_name} is expecting "
                         f"{n_features_in} features as input.")


def check_same_feature_names(X, X_val, name="X_val"):
    """Refuse validation sequences ``X_val`` whose feature names (DataFrame
    columns) are not X's, in X's order, as predict refuses them after fit:
    features are read by position, so a swapped column would be read as
    another feature. Names on one side only are read by position, with
    scikit-learn's kind of warning."""
    names, other = (_get_feature_names(feature_names_source(x)) for x in (X, X_val))
    if names is None and other is None:
        return
    if names is None or other is None:
        warnings.warn(f"{name} {'has no' if other is None else 'has'} feature names, but "
                      f"X's {'are named' if other is None else 'are not'}: read by position",
                      UserWarning, stacklevel=3)
        return
    if len(names) != len(other) or np.any(names != other):
        raise ValueError(f"{name}'s feature names {list(other)} are not X's {list(names)} "
                         "(in that order): features are read by position")


def check_r2_defined(targets, weights, where):
    """Refuse the validation part of early stopping when its score, R², is
    undefined (see :func:`r2_undefined_because`): no epoch could then count as
    better, and the weights restored at the end would be the initial ones.
    ``where`` names the part in the message."""
    reason = r2_undefined_because(targets, weights)
    if reason is not None:
        raise ValueError(f"{where} holds {reason}; use more or more varied validation data, "
                         "or early_stopping=False")


def r2_undefined_because(targets, weights):
    """Why R² of ``targets`` ((n,) or (n, k), one weight per row) is undefined,
    or None: fewer than two targets of positive weight, or targets that do not
    vary in any column (R² divides by their variance; scikit-learn scores a
    constant column among varying ones 0, and averages)."""
    used = np.asarray(targets)[np.asarray(weights) > 0]
    if len(used) < 2:
        return (f"{len(used)} target(s) of positive weight, but early stopping's score, R², "
                "needs at least 2")
    if np.all(used == used[:1]):
        return "targets that do not vary, so early stopping's score, R², is undefined"
    return None


def check_parameter_mapping(mapping, name="state_dict"):
    """``mapping`` if it maps parameter names (str) to values, as
    ``state_dict()`` returns; else a TypeError naming what was given."""
    if not isinstance(mapping, Mapping) or not all(isinstance(key, str) for key in mapping):
        raise TypeError(f"{name} must map parameter names (str) to arrays, as state_dict() "
                        f"returns, got {type(mapping).__name__}")
    return mapping
