"""Standardization of sequence features across all time steps."""
import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils.validation import _check_feature_names, check_is_fitted

from ._statistics import mean_and_std
from ._validation import (SequenceInputMixin, SequenceOutputMixin, as_sequence_list,
                          check_same_features, check_sequences, feature_names_source,
                          feature_signature)


# auto_wrap_output_keys=None: sequences are not tables, so set_output (and
# sklearn.set_config(transform_output="pandas")) cannot wrap them; it made every
# transform of a 3-D array or a list fail inside pandas. set_output is a no-op
# (SequenceOutputMixin).
class SequenceScaler(SequenceInputMixin, SequenceOutputMixin, OneToOneFeatureMixin,
                     TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Standardize each feature of sequences to zero mean and unit variance.

    Statistics are taken over every real time step of every sequence (padding
    does not exist for it), which is what :class:`~sklearn.preprocessing.StandardScaler`
    cannot do with 3-D arrays or ragged lists. The output has the input's form:
    a 3-D array stays 3-D, a list of sequences stays a list of arrays of the same
    shapes, a 2-D array (univariate sequences, or a list that forms one) is
    returned as a 2-D array and scaled as one feature, whatever scikit-learn's
    ``transform_output`` setting (it does not take part in ``set_output``).

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each feature's mean.
    with_std : bool, default=True
        Divide each feature by its standard deviation.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Mean of each feature over all real time steps (0 with
        ``with_mean=False``).
    scale_ : ndarray of shape (n_features,)
        Standard deviation of each feature (1 where it is zero).
    n_features_in_ : int
        Features per time step (for a 2-D X, its number of columns).
    feature_names_in_ : ndarray of shape (n_features,)
        Names of the features, when X was a DataFrame with string column
        names, or sequences given as such DataFrames.

    See Also
    --------
    RecurrentClassifier : Standardizes its inputs itself (``standardize=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnnsk import SequenceScaler
    >>> X = [np.array([[1.0, 10.0], [3.0, 30.0]]), np.array([[5.0, 50.0]])]
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_
    array([ 3., 30.])
    >>> [x.round(3) for x in scaler.transform(X)]
    [array([[-1.225, -1.225],
           [ 0.   ,  0.   ]]), array([[1.225, 1.225]])]
    """

    _parameter_constraints = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn each feature's mean and standard deviation over all real
        time steps of X (any form the estimators accept); y is ignored."""
        rows = as_sequence_list(X)  # (a table of sequences, converted once)
        named = feature_names_source(X, rows)  # (checks sequences given as DataFrames agree)
        sequences = check_sequences(rows, dtype=np.float64)
        steps = _real_steps(sequences)
        mean, std = mean_and_std(steps, axis=0)
        self.mean_ = mean if self.with_mean else np.zeros(steps.shape[1])
        std = std if self.with_std else np.ones(steps.shape[1])
        self.scale_ = np.where(std > 0, std, 1.0)
        self._feature_signature = feature_signature(sequences)
        self.n_features_in_ = self._feature_signature[0]
        _check_feature_names(self, named, reset=True)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def transform(self, X):
        """Standardize X, returned in the form it was given (float32 stays
        float32, anything else becomes float64)."""
        return self._apply(X, lambda values, mean, scale: (values - mean) / scale)

    def inverse_transform(self, X):
        """Undo :meth:`transform`: X back in the original units, in its form."""
        return self._apply(X, lambda values, mean, scale: values * scale + mean)

    def _apply(self, X, operation):
        """``operation(values, mean, scale)`` on every real step of X, in X's
        own form and in float32 for float32 X (as StandardScaler keeps it: half
        the memory of a pipeline's scaled copy, which the estimators read in
        float32 by default)."""
        check_is_fitted(self)
        rows = as_sequence_list(X)  # (a table of sequences, converted once)
        dtype = np.float32 if _float_dtype_of(rows) == np.float32 else np.float64
        sequences = check_sequences(rows, dtype=dtype)
        check_same_features(sequences, self._feature_signature, type(self).__name__)
        _check_feature_names(self, feature_names_source(X, rows), reset=False)
        result = operation(sequences.data, self.mean_.astype(dtype), self.scale_.astype(dtype))
        if sequences.is_table:  # a 2-D array, or a list that is one
            return result[:, :, 0]
        if not isinstance(rows, (list, tuple)):
            return result
        scaled = [row[:length].reshape(np.shape(sequence))
                  for row, length, sequence in zip(result, sequences.lengths, rows)]
        if rows is X:
            return scaled
        as_objects = np.empty(len(scaled), dtype=object)  # X's form: an object per sequence
        for i, sequence in enumerate(scaled):
            as_objects[i] = sequence
        return as_objects


def _real_steps(sequences):
    """All real time steps as rows of a 2-D array (padding left out)."""
    real = np.arange(sequences.data.shape[1]) < sequences.lengths[:, None]
    return sequences.data[real]


def _float_dtype_of(rows):
    """The dtype of the values of ``rows`` (as_sequence_list of X: its first
    sequence's for a list), or None."""
    first = rows[0] if isinstance(rows, (list, tuple)) and len(rows) else rows
    return getattr(first, "dtype", None)
