"""Simple baselines of the accuracy suite: scikit-learn models on flattened series
or on TF-IDF features of text.

Series of different lengths are first resampled by linear interpolation to the
longest training length (every series is stretched over the same grid: a fixed-size
vector that keeps each series' shape, which zero-padding would not); equal-length
series are flattened as they are.
"""
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def resample(series, length):
    """One (n_timesteps, n_features) series stretched to ``length`` steps by linear
    interpolation over the same relative time grid."""
    series = np.asarray(series, dtype=np.float64)
    old = np.linspace(0.0, 1.0, len(series))
    new = np.linspace(0.0, 1.0, length)
    return np.stack([np.interp(new, old, series[:, j]) for j in range(series.shape[1])],
                    axis=1)


class FlattenSeries(TransformerMixin, BaseEstimator):
    """Sequences to fixed-size vectors: resampled to the longest training length
    when the lengths differ, then flattened (time-major)."""

    def fit(self, X, y=None):
        self.length_ = max(len(x) for x in X)
        return self

    def transform(self, X):
        if isinstance(X, np.ndarray) and X.ndim == 3 and X.shape[1] == self.length_:
            return X.reshape(len(X), -1).astype(np.float64)
        return np.stack([resample(x, self.length_).ravel() for x in X])


def _series_baselines(task, seed):
    if task == "classification":
        return {
            "Dummy": DummyClassifier(strategy="most_frequent"),
            "1-NN": make_pipeline(FlattenSeries(), KNeighborsClassifier(n_neighbors=1)),
            "LogReg": make_pipeline(FlattenSeries(), StandardScaler(),
                                    LogisticRegression(max_iter=5000)),
            "MLP": make_pipeline(FlattenSeries(), StandardScaler(),
                                 MLPClassifier(random_state=seed)),
        }
    return {
        "Dummy": DummyRegressor(strategy="mean"),
        "1-NN": make_pipeline(FlattenSeries(), KNeighborsRegressor(n_neighbors=1)),
        "Ridge": make_pipeline(FlattenSeries(), StandardScaler(),
                               RidgeCV(alphas=np.logspace(-3, 3, 13))),
        "MLP": make_pipeline(FlattenSeries(), StandardScaler(), MLPRegressor(random_state=seed)),
    }


def _text_baselines():
    # Character 1-3-grams: Chinese has no spaces, so words are not tokens.
    return {
        "Dummy": DummyClassifier(strategy="most_frequent"),
        "TF-IDF+LogReg": make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
                            min_df=2),
            LogisticRegression(max_iter=5000)),
    }


# Baselines whose fit does not depend on the seed: fitted once, not once per seed.
DETERMINISTIC = {"Dummy", "1-NN", "LogReg", "Ridge", "TF-IDF+LogReg"}


def baselines(task, kind, seed):
    """Name -> unfitted estimator, for a data set's task and kind."""
    if kind == "text":
        return _text_baselines()
    return _series_baselines(task, seed)
