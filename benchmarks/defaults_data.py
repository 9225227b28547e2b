"""Public sequence data sets with their standard train/test splits, loaded
offline (rnnsk's shipped data, scikit-learn's digits, the UCR/UEA sets inside
the ``aeon`` wheel), for choosing the estimators' defaults by measurement."""
import numpy as np

CLASSIFICATION = ("JapaneseVowels", "BasicMotions", "ArrowHead", "GunPoint",
                  "ItalyPowerDemand", "PickupGestureWiimoteZ", "DigitsRows")
REGRESSION = ("Covid3Month", "CardanoSentiment")


def _from_aeon(X):
    """aeon's (n, channels, steps) array or list of (channels, steps_i) arrays
    as a list of (steps_i, channels) arrays."""
    return [np.asarray(x, dtype=np.float64).T for x in X]


def load(name):
    """(X_train, y_train, X_test, y_test); X as lists of (steps, features) arrays.
    A name ending in "InRawUnits" is that data set with every value v replaced by
    100 v + 300: inputs in the hundreds, as measurements in raw units often are."""
    if name.endswith("InRawUnits"):
        X_train, y_train, X_test, y_test = load(name[:-len("InRawUnits")])
        return ([100.0 * x + 300.0 for x in X_train], y_train,
                [100.0 * x + 300.0 for x in X_test], y_test)
    if name == "JapaneseVowels":
        from rnnsk.datasets import load_japanese_vowels
        train = load_japanese_vowels(subset="train", return_X_y=True)
        test = load_japanese_vowels(subset="test", return_X_y=True)
        return list(train[0]), np.asarray(train[1]), list(test[0]), np.asarray(test[1])
    if name == "DigitsRows":
        # Each 8x8 image read as 8 steps of 8 pixels; the first 1000 images train.
        from sklearn.datasets import load_digits
        images, labels = load_digits(return_X_y=True)
        rows = list(images.reshape(-1, 8, 8))
        return rows[:1000], labels[:1000], rows[1000:], labels[1000:]
    if name in REGRESSION:
        from aeon.datasets import load_regression as loader
    else:
        from aeon.datasets import load_classification as loader
    X_train, y_train = loader(name, split="train")
    X_test, y_test = loader(name, split="test")
    return _from_aeon(X_train), y_train, _from_aeon(X_test), y_test


def padded_table(X, steps=None):
    """Sequences as a flat table for the baselines: padded with each sequence's
    last value to ``steps`` (the longest by default), then flattened."""
    steps = steps or max(len(x) for x in X)
    table = np.empty((len(X), steps, X[0].shape[1]))
    for i, x in enumerate(X):
        x = x[:steps]
        table[i, :len(x)] = x
        table[i, len(x):] = x[-1]
    return table.reshape(len(X), -1)
