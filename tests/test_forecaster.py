"""RecurrentForecaster through its public API: shapes of every input kind, the
forecasts against a by-hand computation with the fitted regressor, the
time-ordered held-out part, exogenous inputs, conformal intervals, errors, and
scikit-learn citizenship (clone, pickle, grid search over window_length)."""
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from rnnsk import RecurrentForecaster, RecurrentRegressor, make_windows

# Small and fast: a few epochs of a tiny network on one thread.
# One network (n_estimators=1) but where the ensemble is tested.
FAST = dict(hidden_size=8, max_iter=15, random_state=0, n_threads=1, n_estimators=1)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the short fits
        yield


def seasonal_series(n=120, level=10.0, trend=0.05, seed=0, noise=0.05):
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return level + trend * t + np.sin(2 * np.pi * t / 12) + noise * rng.standard_normal(n)


# ------------------------------------------------------------------ shapes --

def test_one_series_forecasts_beyond_its_end_and_beats_naive():
    y = seasonal_series(144)
    model = RecurrentForecaster(window_length=24, horizon=12, hidden_size=16, max_iter=60,
                                random_state=0, n_threads=1).fit(y[:132])
    forecast = model.predict(12)
    assert forecast.shape == (12,)
    naive_error = np.mean(np.abs(y[131] - y[132:]))
    assert np.mean(np.abs(forecast - y[132:])) < 0.5 * naive_error


def test_aligned_columns_ragged_list_and_new_series_shapes():
    Y = np.column_stack([seasonal_series(80, level=lv, seed=i) for i, lv in enumerate([0, 50,
                                                                                        -3])])
    model = RecurrentForecaster(window_length=12, horizon=4, **FAST).fit(Y)
    assert model.n_series_ == 3
    assert model.predict().shape == (4, 3)                   # rows are steps, columns series
    assert model.predict([1, 3]).shape == (2, 3)             # chosen steps (sktime's fh)
    np.testing.assert_allclose(model.predict([1, 3]), model.predict(4)[[0, 2]])
    ragged = [Y[:, 0], Y[:50, 1]]
    listed = RecurrentForecaster(window_length=12, horizon=4, **FAST).fit(ragged)
    assert listed.predict().shape == (4, 2)
    assert listed.predict(2, series=[Y[:30, 2]]).shape == (2, 1)
    assert listed.predict(2, series=Y[:30, 2]).shape == (2,)


def test_direct_forecast_is_the_regressor_plus_the_linear_part_on_the_standardized_window():
    y = seasonal_series(100)
    model = RecurrentForecaster(window_length=12, horizon=3, linear_skip=True,
                                combine_linear=None, **FAST).fit(y)
    window = y[-12:]
    loc, scale = window.mean(), window.std()
    scaled = (window - loc) / scale
    by_hand = (model.regressor_.predict(scaled[None, :, None])[0]
               + model.linear_.predict(scaled[None])[0]) * scale + loc
    np.testing.assert_allclose(model.predict(3), by_hand, rtol=1e-12)
    plain = RecurrentForecaster(window_length=12, horizon=3, combine_linear=None,
                                **FAST).fit(y)
    assert plain.linear_ is None and plain.autoregression_ is None
    by_hand = plain.regressor_.predict(scaled[None, :, None])[0] * scale + loc
    np.testing.assert_allclose(plain.predict(3), by_hand, rtol=1e-12)


def test_linear_part_is_ridge_on_every_standardized_window_and_the_network_its_residual():
    y = seasonal_series(100)
    model = RecurrentForecaster(window_length=12, horizon=3, linear_skip=True, **FAST).fit(y)
    # Refitted on every window.
    X, targets = make_windows(y, lookback=12, horizon=3)
    X = X[:, :, 0]
    loc, scale = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    reference = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit((X - loc) / scale,
                                                           (targets - loc) / scale)
    np.testing.assert_allclose(model.linear_.coef_, reference.coef_, rtol=1e-8)
    # Without refit the linear part sees the training windows only, as the network.
    early = RecurrentForecaster(window_length=12, horizon=3, refit=False, linear_skip=True,
                                **FAST).fit(y)
    assert not np.allclose(early.linear_.coef_, reference.coef_)


def test_default_ensemble_reads_windows_of_one_and_two_lengths():
    params = {name: value for name, value in FAST.items() if name != "n_estimators"}
    model = RecurrentForecaster(window_length=12, horizon=3, **dict(params, max_iter=2))
    model.fit(seasonal_series(100))
    assert [member.window_length for member in model.estimators_] == [12, 24, 12, 24, 12]
    assert [member.random_state for member in model.estimators_] == [0, 1, 2, 3, 4]
    assert [member.window_scaling for member in model.estimators_] == [
        "standardize", "last", "standardize", "last", "standardize"]
    # A new series must hold the longest window, and the message says whose it is.
    assert model.predict(series=seasonal_series(24)).shape == (3,)
    with pytest.raises(ValueError, match=r"fewer than the 24 needed \(the longest window of "
                                         r"the ensemble's networks, 24 steps, from "
                                         r"window_length 12 and window_multiples \(1, 2\)\)"):
        model.predict(series=seasonal_series(20))


@pytest.mark.parametrize("n_steps, expected", [(35, ("standardize", "last")), (34, ("last",))])
def test_auto_window_scaling_takes_last_values_below_24_training_windows(n_steps, expected):
    # Windows of 4 and one step out: 35 steps leave 28 before the held-out 7,
    # so 24 training windows; 34 leave 23.
    params = dict(FAST, window_length=4, horizon=1, n_estimators=3, max_iter=2)
    model = RecurrentForecaster(**params).fit(seasonal_series(n_steps))
    assert model.window_scaling_ == expected
    assert [member.window_scaling for member in model.estimators_] == [
        expected[k % len(expected)] for k in range(3)]
    # Counted over every series of a global model.
    both = RecurrentForecaster(**params).fit([seasonal_series(34), seasonal_series(34, seed=1)])
    assert both.window_scaling_ == ("standardize", "last")
    # A single network scales its windows by the first; given scalings are kept.
    single = RecurrentForecaster(**dict(params, n_estimators=1)).fit(seasonal_series(34))
    assert single.window_scaling_ == ("last",)
    np.testing.assert_array_equal(
        single.predict(),
        RecurrentForecaster(**dict(params, n_estimators=1, window_scaling="last"))
        .fit(seasonal_series(34)).predict())
    given = RecurrentForecaster(**dict(params, window_scaling=("last", "standardize")))
    assert given.fit(seasonal_series(34)).window_scaling_ == ("last", "standardize")


def test_ensemble_forecasts_the_median_of_single_networks_of_each_seed_and_window():
    y = seasonal_series(100)
    params = dict(FAST, horizon=3, combine_linear=None)
    ensemble = RecurrentForecaster(**dict(params, window_length=12, n_estimators=3,
                                          window_multiples=(1, 2))).fit(y)
    singles = [RecurrentForecaster(**dict(params, window_length=length, random_state=seed,
                                          window_scaling=scaling)).fit(y)
               for length, seed, scaling in ((12, 0, "standardize"), (24, 1, "last"),
                                             (12, 2, "standardize"))]
    forecasts = np.array([single.predict() for single in singles])
    assert ensemble.regressor_ is None and len(ensemble.estimators_) == 3
    assert not np.allclose(forecasts[0], forecasts[2])
    np.testing.assert_allclose(ensemble.predict(), np.median(forecasts, axis=0), rtol=1e-10)
    new = y[:50] + 3.0
    np.testing.assert_allclose(
        ensemble.predict(2, series=new),
        np.median([single.predict(2, series=new) for single in singles], axis=0), rtol=1e-10)
    # The conformal scores are those of the median forecast, from the same
    # held-out origins as one network's, in the scale of member 0's window.
    assert ensemble.calibration_residuals_.shape == singles[0].calibration_residuals_.shape
    assert not np.allclose(ensemble.calibration_residuals_, singles[0].calibration_residuals_)
    lower, upper = ensemble.predict_interval(coverage=0.8)
    assert np.all(lower < ensemble.predict()) and np.all(ensemble.predict() < upper)


def test_ensemble_members_draw_their_seeds_from_a_generator():
    # clone() copies a generator: passed on as it is, every member would make
    # the same draws and the ensemble would be one network five times.
    y = seasonal_series(100)
    model = RecurrentForecaster(**dict(FAST, window_length=12, horizon=3, n_estimators=2,
                                       combine_linear=None,
                                       random_state=np.random.RandomState(0))).fit(y)
    first, second = (member.predict() for member in model.estimators_)
    assert not np.allclose(first, second)


def test_ensemble_windows_are_capped_by_the_shortest_series():
    ragged = [seasonal_series(100), seasonal_series(40, seed=1)]
    model = RecurrentForecaster(**dict(FAST, window_length=12, horizon=3, n_estimators=2,
                                       window_multiples=(1, 4))).fit(ragged)
    assert [member.window_length for member in model.estimators_] == [12, 40]
    assert model.predict().shape == (3, 2)


@pytest.mark.parametrize("validation_fraction, trainable", [(0.2, 18), (None, 24)])
def test_ensemble_windows_leave_a_training_window_on_a_short_series(validation_fraction,
                                                                      trainable):
    # 30 steps, horizon 6: the held-out part is the last 6 steps, so the
    # longest window with a training window before it is 30 - 6 - 6 = 18
    # steps (24 without a held-out part); longer multiples are capped there.
    y = seasonal_series(30)
    for multiples in [(1, 2), (1, 3), (1, 1.5)]:
        model = RecurrentForecaster(**dict(
            FAST, window_length=12, horizon=6, n_estimators=2, window_multiples=multiples,
            validation_fraction=validation_fraction)).fit(y)
        expected = min(int(12 * multiples[1]), trainable)
        assert [member.window_length for member in model.estimators_] == [12, expected]
        assert np.all(np.isfinite(model.predict()))


def test_ensemble_whose_own_window_cannot_train_names_that_window():
    # The cap never goes below window_length: the error is about the
    # user's window, not a multiple of it.
    model = RecurrentForecaster(**dict(FAST, window_length=20, horizon=6, n_estimators=2,
                                       window_multiples=(1, 2)))
    with pytest.raises(ValueError, match="window_length 20 "):
        model.fit(seasonal_series(30))
    assert not hasattr(model, "estimators_")


def _training_windows_before_the_held_out_part(n_steps, window, horizon):
    """Windows of `window` steps whose `horizon` targets end before the held-out
    last max(ceil(0.2 n), horizon) steps: the default validation_fraction."""
    held_out = max(int(np.ceil(0.2 * n_steps)), horizon)
    return max(n_steps - held_out - horizon - window + 1, 0)


@pytest.mark.parametrize("n_steps, horizon", [(47, 8), (30, 6), (20, 3), (60, 1), (200, 12)])
def test_auto_window_is_the_longest_with_as_many_training_windows_as_steps(n_steps, horizon):
    # At most 24 steps (the earlier default, kept on long series).
    model = RecurrentForecaster(horizon=horizon, **dict(FAST, max_iter=2))
    assert model.window_length == "auto"
    model.fit(seasonal_series(n_steps))
    window = model.window_length_
    assert 1 <= window <= 24
    assert _training_windows_before_the_held_out_part(n_steps, window, horizon) >= window
    if window < 24:
        assert _training_windows_before_the_held_out_part(n_steps, window + 1, horizon) < window + 1
    assert np.all(np.isfinite(model.predict()))


def test_auto_window_forecasts_short_series_that_window_24_refuses():
    y = seasonal_series(16)
    with pytest.raises(ValueError, match="fewer than the 24 needed"):
        RecurrentForecaster(window_length=24, horizon=3, **FAST).fit(y)
    model = RecurrentForecaster(horizon=3, **FAST).fit(y)
    assert model.window_length_ == 5   # 16 - 4 held out - 3 to forecast + 1 - w >= w
    assert model.predict().shape == (3,)
    params = {name: value for name, value in FAST.items() if name != "n_estimators"}
    for n_estimators in (1, 5):  # an ensemble refuses before its networks do
        model = RecurrentForecaster(horizon=3, n_estimators=n_estimators, **params)
        with pytest.raises(ValueError, match=r"no training window: .* window_length 1 \(chosen "
                                             r"by window_length='auto'\) .*; use a smaller "
                                             r"validation_fraction \(or None\), a shorter "
                                             r"horizon, or longer series"):
            model.fit(y[:5])
        assert not hasattr(model, "window_length_")


def test_auto_window_lets_every_series_be_forecast_and_counts_windows_over_all():
    # Ten series of 20 steps, horizon 3: held out max(4, 3) = 4 steps each, so
    # 10 * (20 - 4 - 3 + 1 - w) >= w up to w = 12; a series of 9 steps caps it at 9.
    many = [seasonal_series(20, seed=i) for i in range(10)]
    assert RecurrentForecaster(horizon=3, **FAST).fit(many).window_length_ == 12
    model = RecurrentForecaster(horizon=3, **FAST).fit(many + [seasonal_series(9, seed=10)])
    assert model.window_length_ == 9
    assert model.predict().shape == (3, 11)


@pytest.mark.parametrize("seasonal_period, n_steps, expected", [
    (46, 1000, 46),   # one season, longer than 24 steps
    (12, 1000, 24),   # at least 24 steps
    (46, 90, 34),     # a season does not leave as many training windows: the rule's cap
])
def test_auto_window_covers_a_season_longer_than_24_steps(seasonal_period, n_steps, expected):
    """A window of 24 steps saw no whole season of 46 (a forecast error of 3.3
    times the seasonal naive one's in-sample error, against 0.66 with 46 steps:
    docs/forecasting.md)."""
    model = RecurrentForecaster(horizon=4, seasonal_period=seasonal_period,
                                **dict(FAST, max_iter=1)).fit(seasonal_series(n_steps))
    assert model.window_length_ == expected
    if expected < max(24, seasonal_period):
        assert _training_windows_before_the_held_out_part(n_steps, expected, 4) >= expected
        assert _training_windows_before_the_held_out_part(n_steps, expected + 1, 4) < expected + 1


def test_auto_window_with_an_ensemble_and_explicit_windows():
    params = {name: value for name, value in FAST.items() if name != "n_estimators"}
    model = RecurrentForecaster(horizon=3, **dict(params, max_iter=2)).fit(seasonal_series(200))
    assert model.window_length_ == 24
    assert [member.window_length_ for member in model.estimators_] == [24, 48, 24, 48, 24]
    explicit = RecurrentForecaster(window_length=7, horizon=3, **FAST).fit(seasonal_series(60))
    assert explicit.window_length_ == 7


@pytest.mark.parametrize("n_estimators", [1, 2])
def test_forecaster_pickled_before_the_auto_defaults_still_predicts(n_estimators):
    scalings = ("standardize", "last")  # the default before 'auto'
    model = RecurrentForecaster(window_length=12, horizon=3, window_scaling=scalings,
                                **dict(FAST, n_estimators=n_estimators)).fit(seasonal_series(60))
    expected = model.predict()
    for fitted in [model] + (model.estimators_ or []):
        del fitted.window_length_, fitted.window_scaling_   # as pickled before they existed
    old = pickle.loads(pickle.dumps(model))
    assert old.window_length_ == 12 and old.window_scaling_ == scalings
    assert [member.window_scaling_ for member in old.estimators_ or []] == (
        [("standardize",), ("last",)] if n_estimators == 2 else [])
    assert [member.window_length_ for member in old.estimators_ or []] == (
        [12, 24] if n_estimators == 2 else [])
    np.testing.assert_array_equal(old.predict(), expected)


def test_recursive_forecast_feeds_each_step_back():
    y = seasonal_series(100)
    model = RecurrentForecaster(window_length=12, strategy="recursive", window_scaling="last",
                                combine_linear=None, **FAST).fit(y)
    history = list(y)
    for _ in range(5):
        window = np.array(history[-12:])
        loc, scale = window[-1], window.std()
        step = model.regressor_.predict(((window - loc) / scale)[None, :, None]).item()
        history.append(step * scale + loc)
    np.testing.assert_allclose(model.predict(5), history[-5:], rtol=1e-10)


@pytest.mark.parametrize("scaling", ["standardize", "last", ("standardize", "last")])
def test_window_scaling_makes_forecasts_equivariant_to_level_and_scale(scaling):
    y = seasonal_series(100)
    model = RecurrentForecaster(**dict(FAST, window_length=12, horizon=4, window_scaling=scaling,
                                       n_estimators=1 if isinstance(scaling, str) else 2)).fit(y)
    shifted = 1000.0 + 7.0 * y
    np.testing.assert_allclose(model.predict(4, series=shifted),
                               1000.0 + 7.0 * model.predict(4, series=y), rtol=1e-9)


@pytest.mark.parametrize("level", [5.0, 0.0])
@pytest.mark.parametrize("noise", [0.0, 1e-9])
def test_constant_and_near_constant_series_forecast_their_level(noise, level):
    rng = np.random.default_rng(0)
    flat = level + noise * rng.standard_normal(60)
    model = RecurrentForecaster(window_length=8, horizon=3, **FAST).fit(flat)
    np.testing.assert_allclose(model.predict(3), level, atol=100 * noise + 1e-12)
    lower, upper = model.predict_interval(3, coverage=0.9)
    assert np.all(np.isfinite(lower)) and np.all(upper - lower <= 1000 * noise + 1e-9)


def test_an_all_zero_series_in_a_global_model_is_forecast_as_zeros():
    # Items that never sold, beside others: the network's output for a flat
    # window is not 0, and must not reach the zero series' forecast.
    t = np.arange(120.0)
    model = RecurrentForecaster(window_length=6, horizon=3, **FAST).fit(
        [0.001 * (1 + np.sin(t / 3)), np.zeros(120)])
    # (f times the smallest normal float: 0 but for subnormal digits)
    np.testing.assert_allclose(model.predict(3)[:, 1], 0.0, rtol=0, atol=1e-300)


def test_small_series_are_scaled_by_their_own_floor_in_a_global_model():
    # One global model over a series of unit size and one a million times
    # larger: a flat stretch of the small series is scaled by a floor from
    # its own steps, not from the big series' (which spans its whole range,
    # and the network's output in those units would land far from it).
    t = np.arange(80.0)
    small = np.r_[np.sin(t[:70] / 3), np.full(10, np.sin(69 / 3))]
    big = 1e6 * (t + np.sin(t / 2))
    model = RecurrentForecaster(window_length=8, horizon=3, **FAST).fit([small, big])
    forecast = model.predict(3)[:, 0]
    assert np.all(np.abs(forecast - small[-1]) < 2.0), forecast


def test_differencing_forecasts_continue_a_linear_trend_exactly():
    # After one difference a straight line is a constant; its windows are
    # flat and the forecast continues the line whatever the network says.
    y = 3.0 + 2.0 * np.arange(60.0)
    model = RecurrentForecaster(window_length=8, horizon=5, differences=1,
                                window_scaling="last", **FAST).fit(y)
    forecast = model.predict(5)
    np.testing.assert_allclose(np.diff(np.r_[y[-1], forecast]), 2.0, atol=0.05)


def test_seasonal_differencing_undone_against_brute_force():
    from rnnsk._series_transforms import difference, history_tails, integrate
    rng = np.random.default_rng(1)
    s = rng.standard_normal(60).cumsum()
    lags = [12, 1]
    z, levels = difference(s, lags)
    brute = s.copy()
    for lag in lags:
        brute = np.array([brute[t] - brute[t - lag] for t in range(lag, len(brute))])
    np.testing.assert_allclose(z, brute)
    cut = 45
    future = z[cut - 13:]  # z[i] is the differenced value at time i + 13
    restored = integrate(future[None, :], history_tails(levels, lags, np.array([cut])), lags)
    np.testing.assert_allclose(restored[0], s[cut:], rtol=1e-12)


def test_direct_is_limited_to_the_fitted_horizon_recursive_is_not():
    y = seasonal_series(80)
    direct = RecurrentForecaster(window_length=12, horizon=3, **FAST).fit(y)
    with pytest.raises(ValueError, match="at most horizon=3"):
        direct.predict(4)
    # (refused before the steps are listed: numpy could not allocate 8 TiB of them)
    for horizon in (2**40, [1, 2**40]):
        with pytest.raises(ValueError, match=r"at most horizon=3 steps \(what it was fitted "
                                             r"for\), 1099511627776 were asked"):
            direct.predict(horizon)
        with pytest.raises(ValueError, match="intervals are calibrated for at most horizon=3 "
                                             "steps, 1099511627776 were asked"):
            direct.predict_interval(horizon)
    with pytest.raises(TypeError, match="horizon must be a positive int, got True"):
        RecurrentForecaster(window_length=12, horizon=True, **FAST).fit(y)
    with pytest.raises(ValueError, match="no training window"):  # (not numpy's 8 TiB)
        RecurrentForecaster(window_length=12, horizon=2**40, **FAST).fit(y)
    recursive = RecurrentForecaster(window_length=12, horizon=3, strategy="recursive",
                                    **FAST).fit(y)
    assert recursive.predict(20).shape == (20,)


# ------------------------------------------------------------ combination --

def ridge_forecast(y, length, horizon):
    """By hand: ridge without intercept on every standardized window,
    forecasting after the end."""
    X, targets = make_windows(y, lookback=length, horizon=horizon)
    X = X[:, :, 0]
    loc, scale = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    ridge = RidgeCV(alphas=np.logspace(-3, 3, 13), fit_intercept=False).fit(
        (X - loc) / scale, (targets - loc) / scale)
    window = y[-length:]
    return ridge.predict(((window - window.mean()) / window.std())[None])[0] * window.std() \
        + window.mean()


@pytest.mark.parametrize("n_estimators", [1, 3])
@pytest.mark.parametrize("combine_linear", ["equal", "held_out"])
def test_forecast_combines_the_networks_and_ridge(n_estimators, combine_linear):
    y = seasonal_series(100)
    params = dict(FAST, window_length=12, horizon=3, n_estimators=n_estimators)
    combined = RecurrentForecaster(**params, combine_linear=combine_linear).fit(y)
    networks = RecurrentForecaster(**dict(params, combine_linear=None)).fit(y)
    weight = combined.combination_weight_
    assert networks.combination_weight_ == 1.0 and 0.0 <= weight <= 1.0
    assert combine_linear == "held_out" or weight == 0.5
    # The combination does not change how the networks train.
    np.testing.assert_allclose(
        combined.predict(),
        weight * networks.predict() + (1 - weight) * ridge_forecast(y, 12, 3), rtol=1e-8)
    # The held-out weight is the best of a grid that holds 1 (the networks
    # alone) on the held-out origins, which the conformal scores are the
    # errors of.
    if combine_linear == "held_out":
        assert (np.nanmean(np.abs(combined.calibration_residuals_))
                <= np.nanmean(np.abs(networks.calibration_residuals_)) + 1e-12)


def test_held_out_combination_leans_on_ridge_where_the_series_is_linear():
    # A noiseless sum of sines follows a linear recurrence: ridge forecasts it
    # almost exactly, a network trained for two epochs does not.
    t = np.arange(120)
    y = np.sin(t / 3) + 0.5 * np.sin(t / 7)
    model = RecurrentForecaster(**dict(FAST, window_length=16, horizon=4, max_iter=2,
                                       combine_linear="held_out")).fit(y)
    assert model.combination_weight_ <= 0.2


# ------------------------------------------------- time-ordered validation --

def test_held_out_part_is_the_end_of_each_series():
    n, length, horizon = 100, 12, 4
    params = dict(window_length=length, horizon=horizon, validation_fraction=0.2, **FAST)
    model = RecurrentForecaster(refit=False, **params).fit(seasonal_series(n))
    cut = n - 20
    trained = cut - length - horizon + 1      # windows whose targets end before the cut
    held_out = n - cut - horizon + 1          # windows whose inputs end at the cut or later
    assert model.regressor_.t_ == trained * model.regressor_.n_iter_
    # Calibration: a forecast from every origin of the held-out part, its
    # steps after the end of the series unknown.
    origins = np.arange(cut, n)
    known = origins[:, None] + np.arange(horizon) < n
    np.testing.assert_array_equal(~np.isnan(model.calibration_residuals_), known)
    # refit: a second network on every window (those straddling the cut too),
    # for the epochs the first one found best.
    refitted = RecurrentForecaster(refit=True, **params).fit(seasonal_series(n))
    first = model.regressor_
    assert refitted.regressor_.n_iter_ == np.argmax(first.validation_scores_) + 1
    every = n - length - horizon + 1
    assert every > trained + held_out
    assert refitted.regressor_.t_ == every * refitted.regressor_.n_iter_
    np.testing.assert_array_equal(refitted.calibration_residuals_, model.calibration_residuals_)


def test_the_held_out_future_never_reaches_the_weights():
    y = seasonal_series(100)
    changed = y.copy()
    changed[-20:] += 50.0                     # only the held-out part differs
    params = dict(window_length=12, horizon=4, early_stopping=False, refit=False, **FAST)
    a = RecurrentForecaster(**params).fit(y).regressor_.state_dict()
    b = RecurrentForecaster(**params).fit(changed).regressor_.state_dict()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


def test_early_stopping_scores_the_held_out_windows():
    model = RecurrentForecaster(window_length=12, horizon=4, n_iter_no_change=2, refit=False,
                                **{**FAST, "max_iter": 200}).fit(seasonal_series(120))
    regressor = model.regressor_
    assert regressor.validation_scores_ is not None
    assert regressor.n_iter_ == len(regressor.validation_scores_)


@pytest.mark.parametrize("horizon, stops_early", [(12, False), (11, True)])
def test_early_stopping_needs_two_held_out_windows(horizon, stops_early):
    """60 steps hold out the last 12: a horizon of 12 leaves one held-out window,
    whose single forecast error would pick the epoch by chance, so the network
    stops on its training loss; a horizon of 11 leaves two."""
    y = seasonal_series(60)
    params = dict(window_length=12, horizon=horizon, validation_fraction=0.2, **FAST)
    model = RecurrentForecaster(refit=False, **params).fit(y)
    regressor = model.regressor_
    assert regressor.early_stopping is stops_early
    assert (regressor.validation_scores_ is not None) is stops_early
    # The held-out window still calibrates the intervals, and the refit trains
    # for as many epochs as the first network ran.
    assert np.isfinite(model.calibration_residuals_).any()
    refitted = RecurrentForecaster(refit=True, **params).fit(y).regressor_
    expected = (np.argmax(regressor.validation_scores_) + 1 if stops_early
                else regressor.n_iter_)
    assert refitted.n_iter_ == expected


# -------------------------------------------------------------- exogenous --

def exogenous_data(n=160, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 1))
    return 5.0 + 2.0 * x[:, 0] + 0.05 * rng.standard_normal(n), x


@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_exogenous_inputs_known_in_the_future_are_used(strategy):
    y, x = exogenous_data()
    model = RecurrentForecaster(window_length=8, horizon=4, strategy=strategy, hidden_size=16,
                                max_iter=80, random_state=0, n_threads=1)
    model.fit(y[:150], X=x[:150])
    assert model.n_exogenous_ == 1
    error = np.mean(np.abs(model.predict(4, X=x[150:154]) - y[150:154]))
    # Without x the series is white noise around 5 with deviation 2.
    assert error < 0.8, error
    # A new series: its own past exogenous rows, then those of the steps ahead.
    fresh = model.predict(4, series=y[:100], X=x[:104])
    assert np.mean(np.abs(fresh - y[100:104])) < 0.8


def test_exogenous_errors():
    y, x = exogenous_data()
    model = RecurrentForecaster(window_length=8, horizon=4, **FAST).fit(y, X=x)
    with pytest.raises(ValueError, match="fitted with 1 exogenous input"):
        model.predict(4)
    with pytest.raises(ValueError, match="3 time steps but 4 are needed"):
        model.predict(4, X=x[:3])
    with pytest.raises(ValueError, match="2 exogenous columns"):
        model.predict(4, X=np.ones((4, 2)))
    with pytest.raises(ValueError, match="has 100 time steps but 160 are needed"):
        RecurrentForecaster(window_length=8, **FAST).fit(y, X=x[:100])
    plain = RecurrentForecaster(window_length=8, **FAST).fit(y)
    with pytest.raises(ValueError, match="without exogenous"):
        plain.predict(1, X=x[:1])


@pytest.mark.parametrize("n_estimators", [1, 2])
def test_exogenous_columns_are_checked_by_name(n_estimators):
    """Exogenous columns are read by position: DataFrames with their columns in
    another order, or renamed, are refused at predict, as predict of the other
    estimators refuses them; the names fitted are feature_names_in_."""
    pd = pytest.importorskip("pandas")
    y, x = exogenous_data()
    both = np.column_stack([x[:, 0], np.sin(np.arange(len(x)))])
    frame = pd.DataFrame(both, columns=["price", "season"])
    model = RecurrentForecaster(window_length=8, horizon=4,
                                **{**FAST, "n_estimators": n_estimators})
    model.fit(y[:150], X=frame.iloc[:150])
    assert list(model.feature_names_in_) == ["price", "season"]
    future = frame.iloc[150:154]
    np.testing.assert_array_equal(model.predict(4, X=future), model.predict(4, X=future.values))
    # scikit-learn's errors, as predict of the other estimators raises them
    with pytest.raises(ValueError, match="Feature names must be in the same order as they "
                                         "were in fit"):
        model.predict(4, X=future[["season", "price"]])
    with pytest.raises(ValueError, match="Feature names unseen at fit time:\n- a\n- b"):
        model.predict(4, X=future.set_axis(["a", "b"], axis=1))
    with pytest.raises(ValueError, match=r"X\[1\] has the columns \['season', 'price'\], "
                                         r"but X\[0\] has \['price', 'season'\]"):
        RecurrentForecaster(window_length=8, **FAST).fit(
            [y[:80], y[80:]], X=[frame.iloc[:80], frame.iloc[80:, ::-1]])
    unnamed = RecurrentForecaster(window_length=8, horizon=4, **FAST).fit(y[:150], X=both[:150])
    assert not hasattr(unnamed, "feature_names_in_")


# --------------------------------------------------------------- intervals --

def test_conformal_intervals_cover_new_data_at_their_nominal_rate():
    rng = np.random.default_rng(0)
    t = np.arange(400)
    y = np.sin(2 * np.pi * t / 12) + 0.3 * rng.standard_normal(400)
    model = RecurrentForecaster(window_length=12, horizon=3, hidden_size=8, max_iter=40,
                                random_state=0, n_threads=1).fit(y)
    # 300 fresh stretches of the same process, each forecast 3 steps ahead.
    starts = rng.integers(0, 1000, 300)
    stretches = [np.sin(2 * np.pi * np.arange(s, s + 27) / 12) + 0.3 * rng.standard_normal(27)
                 for s in starts]
    history = [s[:24] for s in stretches]
    truth = np.column_stack([s[24:] for s in stretches])
    for coverage in (0.8, 0.95):
        lower, upper = model.predict_interval(3, coverage=coverage, series=history)
        assert np.all(lower <= upper)
        covered = np.mean((truth >= lower) & (truth <= upper))
        assert abs(covered - coverage) < 0.07, (coverage, covered)
    point = model.predict(3, series=history)
    lower, upper = model.predict_interval(3, coverage=0.5, series=history)
    np.testing.assert_allclose((lower + upper) / 2, point)


def test_half_widths_are_finite_sample_quantiles_of_each_step_pooling_earlier_steps():
    from rnnsk._forecast_intervals import step_half_widths
    rng = np.random.default_rng(0)
    residuals = rng.standard_normal((40, 3)) * [1.0, 2.0, 3.0]
    residuals[5:, 2] = np.nan                 # step 3 known from 5 origins only
    errors = np.abs(residuals)
    # Steps 1 and 2: the ceil(41 * 0.95) = 39th smallest of their own 40 scores.
    widths = step_half_widths(residuals, 0.95)
    for k in (0, 1):
        assert np.isclose(widths[k], np.sort(errors[:, k])[38])
    # Step 3 (5 scores, 19 needed) pools step 2's, each step's scores divided
    # by its mean error (non-decreasing over the steps).
    typical = np.maximum.accumulate([errors[:, 0].mean(), errors[:, 1].mean(),
                                     errors[:5, 2].mean()])
    pooled = np.sort(np.r_[errors[:, 1] / typical[1], errors[:5, 2] / typical[2]])
    assert np.isclose(widths[2], pooled[int(np.ceil(46 * 0.95)) - 1] * typical[2])
    # 10 scores in all: enough at 80% (the 9th smallest), infinite at 95%.
    few = residuals[:10, :1]
    assert np.isclose(step_half_widths(few, 0.8)[0], np.sort(np.abs(few[:, 0]))[8])
    assert np.isinf(step_half_widths(few, 0.95)[0])
    # 19 scores are the fewest with a finite 95% quantile: their largest.
    assert np.isclose(step_half_widths(residuals[:19, :1], 0.95)[0], errors[:19, 0].max())


def test_intervals_need_a_held_out_part():
    model = RecurrentForecaster(window_length=12, horizon=3, validation_fraction=None,
                                **FAST).fit(seasonal_series(80))
    assert model.calibration_residuals_ is None
    assert model.combination_weight_ == 0.5
    chooser = RecurrentForecaster(window_length=12, horizon=3, validation_fraction=None,
                                  combine_linear="held_out", **FAST).fit(seasonal_series(80))
    assert chooser.combination_weight_ == 0.5    # nothing to choose it on: equal weights
    with pytest.raises(ValueError, match="no held-out window"):
        model.predict_interval()
    fitted = RecurrentForecaster(window_length=12, horizon=3, **FAST).fit(seasonal_series(80))
    with pytest.raises(ValueError, match="coverage"):
        fitted.predict_interval(coverage=1.5)


# ------------------------------------------------------------------ errors --

@pytest.mark.parametrize("y, match", [
    (np.r_[np.arange(30.0), np.nan, np.arange(30.0)], r"NaN \(first at time step 30\)"),
    (np.r_[np.arange(30.0), np.inf], "infinity"),
    (np.ones((3, 4, 5)), "got 3-D"),
    ([np.arange(40.0), np.r_[np.arange(20.0), np.nan]], r"y\[1\] holds NaN"),
    (np.arange(10.0), "fewer than the 12 needed"),
    ([np.arange(40.0), np.arange(5.0)], "series 1 of y has 5 time steps"),
    (np.array([]), "empty"),
    (np.arange(40.0) + 1j, "Complex data not supported: y holds"),
    ([np.arange(40.0), np.arange(40.0) * 1j], r"Complex data not supported: y\[1\]"),
])
def test_bad_series(y, match):
    with pytest.raises(ValueError, match=match):
        RecurrentForecaster(window_length=12, **FAST).fit(y)


@pytest.mark.parametrize("factor", [1e-300, 1e300, 1e307])
def test_forecasts_scale_with_the_series_at_any_finite_magnitude(factor):
    """Each window is scaled by its own spread, so a series in other units gives
    the same forecasts in those units, even where squares of its values would
    overflow (or underflow) float64."""
    y = seasonal_series(80)
    params = dict(window_length=12, horizon=3, **FAST)
    unit = RecurrentForecaster(**params).fit(y).predict()
    scaled = RecurrentForecaster(**params).fit(y * factor).predict()
    np.testing.assert_allclose(scaled / factor, unit, rtol=1e-9)


def test_series_near_the_largest_float_are_refused_never_forecast_as_inf_or_nan():
    overflow = r"forecasts \(or their interval bounds\) overflow float64"
    y = seasonal_series(60)
    params = dict(window_length=12, horizon=3, **FAST)
    # Forecasts mapped back to a level near 1.8e308 overflow: refused as the
    # regressors' predictions are, intervals too; the estimator still forecasts.
    ending_huge = RecurrentForecaster(**params).fit(np.r_[y, 1e308])
    with pytest.raises(FloatingPointError, match=overflow):
        ending_huge.predict()
    with pytest.raises(FloatingPointError, match=overflow):
        ending_huge.predict_interval()
    fitted = RecurrentForecaster(**params).fit(y)
    expected = fitted.predict()
    # Steps between +-1e308 overflow once differenced or scaled: named, not
    # "Input X contains NaN" from inside the network.
    alternating = np.tile([1e308, -1e308], 30)
    with pytest.raises(ValueError, match="windows of the series overflow float64"):
        RecurrentForecaster(differences=1, **params).fit(np.r_[y, alternating])
    differenced = RecurrentForecaster(differences=1, **params).fit(y)
    with pytest.raises(ValueError, match="windows of the series overflow float64"):
        differenced.predict(series=np.r_[y, alternating])
    with pytest.raises(ValueError, match="windows of the series overflow float64"):
        RecurrentForecaster(differences=1, **params).fit(alternating)
    np.testing.assert_array_equal(fitted.predict(), expected)


@pytest.mark.parametrize("y", [np.array(["a", "b"]), [[1.0, [2.0, 3.0]]]])
def test_non_numeric_series_is_a_type_error(y):
    with pytest.raises(TypeError, match="must hold numbers"):
        RecurrentForecaster(**FAST).fit(y)


@pytest.mark.parametrize("horizon, error, match", [
    (0, ValueError, "at least 1"), (-2, ValueError, "at least 1"),
    ([0, 1], ValueError, "at least 1"), (2.5, TypeError, "positive int"),
    ([], TypeError, "positive int")])
def test_bad_horizon(horizon, error, match):
    model = RecurrentForecaster(window_length=12, horizon=3, **FAST).fit(seasonal_series(60))
    with pytest.raises(error, match=match):
        model.predict(horizon)


def test_other_errors_and_the_estimator_left_unchanged():
    with pytest.raises(NotFittedError):
        RecurrentForecaster().predict(3)
    with pytest.raises(ValueError, match="window_length"):
        RecurrentForecaster(window_length=0).fit(seasonal_series(60))
    with pytest.raises(ValueError, match="seasonal_period"):
        RecurrentForecaster(seasonal_differences=1, **FAST).fit(seasonal_series(60))
    with pytest.raises(ValueError, match="no training window"):
        RecurrentForecaster(window_length=40, horizon=10, **FAST).fit(seasonal_series(60))
    with pytest.raises(ValueError, match="combine_linear"):
        RecurrentForecaster(combine_linear="mean", **FAST).fit(seasonal_series(60))
    for n_estimators, multiples in [(2, (1, 0.5)), (1, (-1,)), (1, ("a",))]:
        # Checked whatever n_estimators, as window_scaling's tuple is.
        with pytest.raises(ValueError, match="window_multiples must be"):
            RecurrentForecaster(**dict(FAST, n_estimators=n_estimators,
                                       window_multiples=multiples)).fit(seasonal_series(60))
    for scalings in [(), ("standardize", "mean")]:
        with pytest.raises(ValueError, match="window_scaling must be"):
            RecurrentForecaster(**dict(FAST, window_scaling=scalings)).fit(seasonal_series(60))
    model = RecurrentForecaster(window_length=12, horizon=3, **FAST).fit(seasonal_series(60))
    before = model.predict()
    regressor = model.regressor_
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.r_[seasonal_series(60), np.nan])
    assert model.regressor_ is regressor
    np.testing.assert_array_equal(model.predict(), before)
    # A failure inside the network's fit (other data, so other window scales)
    # leaves the fitted forecaster as it was too.
    with pytest.raises(ValueError, match="hidden_size"):
        model.set_params(hidden_size=(8, 0)).fit(100 * seasonal_series(90))
    np.testing.assert_array_equal(model.predict(), before)
    with pytest.raises(ValueError, match="has 5 time steps, fewer than the 12"):
        model.predict(3, series=np.arange(5.0))


# ------------------------------------------------------ scikit-learn tools --

def test_clone_pickle_and_parameters_pass_through():
    model = RecurrentForecaster(window_length=12, horizon=3, cell="gru", num_layers=2, **FAST)
    assert clone(model).get_params() == model.get_params()
    model.fit(seasonal_series(80))
    assert model.regressor_.cell == "gru" and model.regressor_.num_layers == 2
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(), model.predict())
    np.testing.assert_array_equal(restored.predict_interval()[0], model.predict_interval()[0])


def test_networks_take_the_regressors_weight_decay_by_default():
    # alpha=1e-2 (the regressors' default) measured better than MLP's 1e-4 on the
    # forecasting benchmark (docs/forecasting.md, session 6).
    assert RecurrentForecaster().alpha == RecurrentRegressor().alpha == 1e-2
    model = RecurrentForecaster(window_length=12, horizon=3, **dict(FAST, n_estimators=2))
    model.fit(seasonal_series(80))
    assert [member.regressor_.alpha for member in model.estimators_] == [1e-2, 1e-2]


def test_grid_search_over_window_length_with_time_series_split():
    y = seasonal_series(120)
    search = GridSearchCV(RecurrentForecaster(horizon=6, **FAST),
                          {"window_length": [6, 12]}, cv=TimeSeriesSplit(3, test_size=6))
    search.fit(y)
    assert search.best_params_["window_length"] in (6, 12)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.predict(6).shape == (6,)


def test_there_is_no_warm_start_to_ignore():
    """Every fit builds the ensemble afresh (the held-out fit, then the refit):
    the regressors' warm_start was passed through and silently did nothing."""
    assert "warm_start" not in RecurrentForecaster().get_params()
    with pytest.raises(TypeError, match="warm_start"):
        RecurrentForecaster(warm_start=True)
