"""The per-step estimators refuse a y holding one value per sequence with a message
saying what they need, and stay unfitted."""

import numpy as np
import pandas as pd
import pytest

from rnnsk import RecurrentStepRegressor, RecurrentTagger


@pytest.mark.parametrize("y", [["DNV", "DN"], [1, 0]])
def test_tagger_refuses_one_value_per_sequence(y):
    tagger = RecurrentTagger(max_iter=1, n_threads=1, random_state=0)
    with pytest.raises(ValueError, match=r"y\[0\] is the single value .*one target per step"):
        tagger.fit([["the", "dog", "runs"], ["a", "cat"]], y)
    assert not hasattr(tagger, "classes_")


def test_tagger_reads_characters_as_labels_when_asked():
    X, y = ["abc", "de"] * 4, ["xyz", "xy"] * 4
    tagger = RecurrentTagger(max_iter=1, n_threads=1, random_state=0)
    tagger.fit(X, [list(labels) for labels in y])
    assert list(tagger.classes_) == ["x", "y", "z"]


def test_step_regressor_refuses_one_value_per_sequence():
    X = [np.zeros((3, 2)), np.zeros((2, 2))]
    with pytest.raises(ValueError, match=r"y\[1\] is the single value 2\.5"):
        RecurrentStepRegressor(max_iter=1, n_threads=1).fit(X, [np.zeros(3), 2.5])


def test_tagger_takes_pandas_series_of_token_and_label_sequences():
    X, y = [["the", "dog"], ["a"]] * 5, [["D", "N"], ["D"]] * 5
    from_lists = RecurrentTagger(max_iter=2, n_threads=1, random_state=0).fit(X, y)
    from_series = RecurrentTagger(max_iter=2, n_threads=1, random_state=0).fit(
        pd.Series(X), pd.Series(y))
    assert from_series.vocabulary_ == from_lists.vocabulary_
    for name, value in from_lists.state_dict().items():
        np.testing.assert_array_equal(from_series.state_dict()[name], value)
    np.testing.assert_array_equal(from_series.predict(pd.Series([["the", "dog"]]))[0],
                                  from_lists.predict([["the", "dog"]])[0])


def test_step_regressor_refuses_complex_targets():
    X = [np.zeros((3, 2)), np.zeros((2, 2))]
    with pytest.raises(ValueError, match=r"Complex data not supported: y\[1\]"):
        RecurrentStepRegressor(max_iter=1, n_threads=1).fit(X, [np.zeros(3), np.ones(2) * 1j])


@pytest.mark.parametrize("factor", [1e-300, 1e300])
def test_step_regressor_targets_at_any_finite_magnitude(factor):
    """Targets are standardized inside: in other units the predictions are the
    same in those units, even where their squares leave float64's range."""
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((n, 2)) for n in (5, 3, 4, 6)]
    y = [x[:, 0] + 0.5 * x[:, 1] for x in X]
    params = dict(hidden_size=4, max_iter=3, n_threads=1, random_state=0, dtype="float64")
    unit = RecurrentStepRegressor(**params).fit(X, y).predict(X)
    scaled = RecurrentStepRegressor(**params).fit(X, [t * factor for t in y]).predict(X)
    for a, b in zip(unit, scaled):
        np.testing.assert_allclose(b / factor, a, rtol=1e-9)


def test_step_regressor_refuses_a_held_out_part_r2_cannot_score():
    """A held-out part of one step, or of steps whose targets do not vary,
    gives R² no value: refused, not trained to the initial weights."""
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((1, 2)) for _ in range(10)]  # one step each
    params = dict(hidden_size=4, max_iter=2, n_threads=1, early_stopping=True)
    with pytest.raises(ValueError, match=r"held-out part \(validation_fraction=0\.1: 1 of 10 "
                                         r"sequences\) holds 1 target\(s\) of positive weight"):
        RecurrentStepRegressor(**params).fit(X, [x[:, 0] for x in X])
    X = [rng.standard_normal((3, 2)) for _ in range(10)]
    with pytest.raises(ValueError, match=r"holds targets that do not vary"):
        RecurrentStepRegressor(**params).fit(X, [np.ones(3)] * 10)
