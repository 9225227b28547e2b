"""RecurrentForecaster: a recurrent network that forecasts time series.

The forecaster is a :class:`~rnnsk.RecurrentRegressor` fitted on windows of the
series (composition: every recurrent parameter is passed through to it), with
what makes windows forecast well around it: windows made relative to their own
level and scale (so trends and levels beyond the training range carry over),
optional differencing, a time-ordered held-out part for early stopping and
conformal prediction intervals, direct or recursive multi-step forecasts, and
exogenous inputs known in the future.
"""
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names, check_is_fitted

from ._classes import RecurrentRegressor
from ._docstrings import numpydoc_sections
from ._fit_lock import one_fit_at_a_time, without_fit_lock
from ._forecast_combination import combination_weight, combine, fit_autoregression
from ._forecast_ensemble import median_held_out, member_forecasters
from ._forecast_index import (as_time_series, dates_of, exogenous_at, future_dates,
                              time_index_of)
from ._forecast_inputs import check_exogenous, check_series, check_steps
from ._forecast_intervals import step_half_widths
from ._series_transforms import (difference, difference_lags, history_tails, integrate,
                                 scale_floor, scale_windows)
from ._parameters import check_parameters_as_fitted, fitted_parameters, store_parameters
from ._validation import feature_names_source, r2_undefined_because

__all__ = ["RecurrentForecaster"]

# Parameters of the internal regressor that a forecaster cannot use: series are
# numbers, never token ids; and every fit builds its networks afresh (fitted on
# the series but their held-out ends, then refitted), so none continues a fit.
_NOT_PASSED = ("embedding_dim", "vocabulary_size", "warm_start")
# Those the forecaster interprets itself (the held-out part is the end of each
# series, not a random fraction of windows).
_OWN = ("validation_fraction",)
_REGRESSOR_PARAMETERS = [name for name in RecurrentRegressor._get_param_names()
                         if name not in _NOT_PASSED + _OWN]
# Early stopping scores every epoch on the held-out windows; on one window (a
# short series whose held-out part is a single horizon) that score is one
# forecast's error, and the epoch it picks is noise. Fewer windows than this
# train without early stopping: the regressor's loss-based stop, and a refit for
# as many epochs.
_LEAST_WINDOWS_TO_STOP_ON = 2

# The longest window window_length='auto' chooses: two years of monthly steps,
# the earlier default, which long series keep; with a seasonal_period longer
# than that, one season (the ensemble's longer windows then read two). A window
# of 24 steps saw no whole season of 46 or 48 steps, and two seasons cost a
# short series its training windows (docs/forecasting.md, "Seasons longer than
# 24 steps").
_AUTO_WINDOW_LENGTH = 24

# The values of window_scaling (or of each entry of a tuple of them).
_SCALINGS = ("standardize", "last")

# What window_scaling='auto' chooses: the mix where the series hold at least
# _AUTO_WINDOW_LENGTH training windows, else windows relative to their last
# value for every network (docs/forecasting.md, "Short series").
_MIXED_SCALINGS = ("standardize", "last")
_FEW_WINDOWS_SCALINGS = ("last",)

# Parameters predict reads again (the window, its transforms, the strategy and
# what decides which fitted parts exist): changed after fit, they would mix with
# a model fitted for other values, so predict refuses them.
_READ_AT_PREDICT = ("window_length", "horizon", "strategy", "window_scaling", "differences",
                    "seasonal_differences", "seasonal_period", "n_estimators",
                    "window_multiples", "linear_skip", "combine_linear")


@numpydoc_sections(
    attributes=("window_length_", "window_scaling_", "regressor_", "linear_", "estimators_",
                "autoregression_", "combination_weight_", "n_series_", "n_exogenous_",
                "feature_names_in_", "calibration_residuals_"),
    window_length=("int or 'auto'",
                   "Past steps each forecast reads (after differencing). 'auto': the "
                   "longest window of at most 24 steps (or one season of "
                   "``seasonal_period``, if longer) that leaves at least as many training "
                   "windows (before the held-out part, over all series) as it has steps, so "
                   "that short series are not fitted from a handful of long windows (24 "
                   "whenever the series are long enough: 24 monthly steps, two years), and "
                   "that the shortest series holds, so that every series can be forecast. "
                   "The window used is ``window_length_``."),
    horizon=("int",
             "Steps ahead the forecaster is trained for: with ``strategy='direct'`` the "
             "network outputs one value for each of these steps, so ``predict`` can "
             "forecast at most ``horizon`` steps; with ``'recursive'`` it is the number "
             "of steps the prediction intervals are calibrated for."),
    strategy=("{'direct', 'recursive'}",
              "'direct': one network output per step of the horizon. 'recursive': a "
              "one-step model whose forecasts are fed back as inputs, step after step "
              "(any number of steps; errors compound)."),
    window_scaling=("{'auto', 'standardize', 'last'}, None or tuple of them",
                    "'standardize': subtract each window's mean and divide by its "
                    "standard deviation (reversible instance normalisation, RevIN). "
                    "'last': subtract the window's last value (and divide by its standard "
                    "deviation). None: the values as they are (the regressor still "
                    "standardizes its targets globally). A tuple gives the ensemble's "
                    "network k the scaling ``window_scaling[k % len(window_scaling)]`` "
                    "(one network: the first); the linear autoregression and the "
                    "intervals take network 0's. 'auto' (the default) is ('standardize', "
                    "'last') when the series hold at least 24 training windows (over all "
                    "series, before the held-out part), so that with "
                    "``window_multiples=(1, 2)`` the networks reading the longer windows "
                    "make them relative to their last value, and 'last' for every network "
                    "on fewer: a network that learned little from so few windows then "
                    "forecasts close to the naive forecast, not to the window's mean. On "
                    "the forecasting benchmark the mixed ensemble had a lower mean error "
                    "than standardized windows alone at three seeds; on fifteen short "
                    "series this rule had a 13% lower geometric mean error than the mix "
                    "everywhere (docs/forecasting.md). ``window_scaling_`` holds the "
                    "scalings fitted."),
    differences=("int",
                 "Number of first differences taken before windowing (1 removes a linear "
                 "trend), undone on the forecasts."),
    seasonal_differences=("int",
                          "Number of seasonal differences ``y[t] - y[t - "
                          "seasonal_period]``."),
    seasonal_period=("int or None",
                     "The season length (12 for monthly data); needed by "
                     "``seasonal_differences``. With ``window_length='auto'`` the window "
                     "covers one season where that is longer than 24 steps (half-hourly "
                     "data with a daily season: 48)."),
    linear_skip=("bool",
                 "Add a linear autoregression of the scaled window to the network's "
                 "output (the autoregressive highway of LSTNet, Lai et al. 2018): a "
                 "ridge regression (alpha by leave-one-out) is fitted first on the "
                 "training windows, and the network learns what it misses. The linear "
                 "part carries trends and seasons a short series teaches a network "
                 "poorly; the network adds the non-linear rest. Off by default: on the "
                 "forecasting benchmark the network overfits the residual of short "
                 "series."),
    combine_linear=("{'equal', 'held_out'} or None",
                    "Combine the networks' forecast with that of a linear autoregression "
                    "of the same scaled windows (ridge without intercept, alpha by "
                    "leave-one-out): "
                    "``w * network + (1 - w) * linear``. 'equal': ``w = 0.5``. "
                    "'held_out': the ``w`` of 0, 0.1, ..., 1 whose forecasts from the "
                    "held-out origins have the least scaled absolute error (0.5 without "
                    "a held-out part). None: the networks alone. Forecast combinations "
                    "beat their parts more often than not (the best M4 entries combine); "
                    "on the forecasting benchmark equal weights did as well as the "
                    "held-out choice, with steadier errors and intervals."),
    n_estimators=("int",
                  "Number of networks in the ensemble. With more than one, the forecast is "
                  "the median of theirs (as the ensembles of N-BEATS and of the M4 "
                  "winners): network k is initialised with seed ``random_state + k`` and "
                  "reads ``window_length * window_multiples[k % len(window_multiples)]`` "
                  "steps (capped so that every series can be forecast and one, at least, "
                  "trained on before its held-out part). Each costs one fit."),
    window_multiples=("tuple of float",
                      "Window lengths of the ensemble's networks, as multiples (at least "
                      "1) of ``window_length``; see ``n_estimators``. The default (1, 2) "
                      "mixes short and long views, as N-BEATS's ensembles do: on the "
                      "forecasting benchmark it had the lower mean error at three seeds "
                      "(``(1,)`` varies the seeds only)."),
    refit=("bool",
           "After training on the windows before the held-out part (which scores early "
           "stopping and calibrates the intervals), train a fresh network on every "
           "window, for the number of epochs that scored best, so that the forecasts "
           "learn from the most recent steps too. The intervals keep the calibration of "
           "the first network."),
    alpha=("float",
           "Strength of the L2 penalty on the networks' weights (not the biases), as "
           "scikit-learn's MLP: ``alpha / 2 * |W|^2`` per unit of sample weight. The "
           "default is the regressors' 1e-2: on the forecasting benchmark it lowered "
           "the mean error against MLP's 1e-4 at three seeds (64 units overfit the "
           "tens to hundreds of windows of a short series), at about a tenth more "
           "time."),
    embedding_dropout=("float",
                       "Passed to the regressor, which has no embedding here (windows "
                       "are numbers, not token ids): leave it at 0."),
    early_stopping=("bool",
                    "Stop training when the score on the held-out last part of each series "
                    "stops improving, and keep the best weights. Needs at least two held-out "
                    "windows (all series together, counted for each network of an "
                    "ensemble, whose longer windows may fit fewer series): with one, that "
                    "network stops on its training loss instead, as with False."),
    validation_fraction=("float or None",
                         "Fraction of the time steps at the end of each series held out: "
                         "the network is trained on the windows whose targets all lie "
                         "before that part; the windows forecasting inside it score early "
                         "stopping and calibrate the prediction intervals. Never a random "
                         "split, so the future never leaks into training. None trains on "
                         "everything (no early stopping, no intervals)."),
    patch_length=("int >= 1 or 'auto'",
                  "Steps of a window each network reads at once (see "
                  ":class:`RecurrentRegressor`; its ``regressor_.patch_length_`` says "
                  "what 'auto' chose). 1 (every step): 'auto' was no better on the "
                  "forecasting benchmark."),
    window_length_=("int",
                    "The window length used: ``window_length``, or what 'auto' chose "
                    "(an ensemble's longer windows are its members' ``window_length_``)."),
    window_scaling_=("tuple",
                     "The scalings used, network k's ``window_scaling_[k % "
                     "len(window_scaling_)]``: ``window_scaling`` as a tuple, or what "
                     "'auto' chose."),
    regressor_=("RecurrentRegressor or None",
                "The fitted network, a regressor built with the recurrent parameters "
                "above (None for an ensemble: see ``estimators_``)."),
    estimators_=("list of RecurrentForecaster or None",
                 "The ensemble's members (``n_estimators > 1``), single-network "
                 "forecasters fitted on the same series; None for one network."),
    autoregression_=("RidgeCV or None",
                     "The linear autoregression combined with the networks "
                     "(``combine_linear`` not None; for an ensemble, member 0's)."),
    combination_weight_=("float",
                         "The networks' weight in the forecast (1 with "
                         "``combine_linear=None``)."),
    linear_=("RidgeCV or None",
             "The linear part (``linear_skip=True``): from the flattened scaled window "
             "to the scaled targets (for an ensemble, in each member)."),
    n_series_=("int", "Number of series fitted."),
    n_exogenous_=("int", "Number of exogenous inputs (0 without)."),
    feature_names_in_=("ndarray of shape (``n_exogenous_``,)",
                       "Column names of the exogenous inputs ``X``, defined only when "
                       "they were given as DataFrames (with string column names); "
                       "``predict`` refuses other names or another order, as columns are "
                       "read by position."),
    calibration_residuals_=("ndarray of shape (n_windows, horizon) or None",
                            "Errors of the (combined) forecasts from the held-out "
                            "windows, divided by the "
                            "scale of their input window (NaN for the steps after the "
                            "end of the series): the conformal scores of "
                            ":meth:`predict_interval` (for an ensemble, those of the "
                            "median forecast)."),
)
class RecurrentForecaster(BaseEstimator):
    """Recurrent neural network forecaster of one or many time series.

    One global model learns from windows of every series it is given: each
    input window is ``window_length`` past values, made relative to its own
    level and scale (``window_scaling``), and the network predicts the values
    that follow. Forecasts are mapped back to the level and scale of the series
    (and undifferenced), so series far above or below the training range, and
    series of very different magnitudes, are forecast alike.

    The recurrent parameters (``cell`` to ``loss``) are those of
    :class:`RecurrentRegressor` (but its token-id inputs ``embedding_dim`` and
    ``vocabulary_size``), passed to the regressor fitted on the windows; some
    of their defaults differ (the settings the forecaster was measured with).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentRegressor : The regressor of sequences it fits on windows.
    make_windows : The windows and targets of a series, for any regressor.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnsk import RecurrentForecaster
    >>> y = np.sin(np.arange(200) / 4) + np.arange(200) / 50
    >>> forecaster = RecurrentForecaster(window_length=16, horizon=6, hidden_size=16,
    ...                                  max_iter=20, random_state=0).fit(y)
    >>> forecaster.predict(6).shape
    (6,)
    """

    _parameter_constraints = {
        **{name: RecurrentRegressor._parameter_constraints[name]
           for name in _REGRESSOR_PARAMETERS},
        "window_length": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"direct", "recursive"})],
        "window_scaling": [StrOptions({"auto", *_SCALINGS}), None, tuple, list],
        "differences": [Interval(Integral, 0, 2, closed="both")],
        "seasonal_differences": [Interval(Integral, 0, 1, closed="both")],
        "seasonal_period": [Interval(Integral, 2, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "window_multiples": ["array-like"],
        "refit": ["boolean"],
        "linear_skip": ["boolean"],
        "combine_linear": [StrOptions({"equal", "held_out"}), None],
    }

    # Some recurrent defaults differ from the regressor's (early_stopping,
    # validation_fraction, init, readout, learning_rate, standardize): on the
    # forecasting benchmark (docs/forecasting.md) the regressor's init='orthogonal'
    # with learning_rate='adaptive' met the baselines on 3 data sets of 9, these
    # on 5; windows are standardized already, so standardize adds nothing.
    # alpha is the regressor's 1e-2 (it was MLP's 1e-4 until session 6). The
    # benchmark's networks read their windows step by step: patch_length=1.
    # input_noise is 0: the regressor's 'auto' was measured on sequence
    # regression, not on forecasting windows, which window_scaling already
    # scales one by one (so sequence_standardize is off).
    def __init__(self, *, window_length="auto", horizon=1, strategy="direct",
                 window_scaling="auto", differences=0,
                 seasonal_differences=0,
                 seasonal_period=None, linear_skip=False, combine_linear="equal",
                 n_estimators=5,
                 window_multiples=(1, 2), refit=True, cell="lstm",
                 hidden_size=64, num_layers=None,
                 bidirectional=False, dropout=0.0, embedding_dropout=0.0, solver="adam",
                 alpha=1e-2, batch_size="auto", learning_rate_init=0.005, max_iter=200,
                 max_grad_norm=1.0, shuffle=True, random_state=None, tol=1e-4, verbose=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=True,
                 validation_fraction=0.2, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, n_threads=None, dtype="float32", bptt_steps=None,
                 device="cpu", init="pytorch", readout="last", patch_length=1,
                 learning_rate="constant", standardize=False, sequence_standardize=False,
                 input_noise=0.0, loss="squared_error"):
        store_parameters(self, locals())

    def __getstate__(self):
        return without_fit_lock(super().__getstate__())

    def __setstate__(self, state):
        state.pop("warm_start", None)  # a parameter no more (it did nothing)
        # pickled before these parameters existed
        state.setdefault("patch_length", 1)
        state.setdefault("input_noise", 0.0)
        state.setdefault("sequence_standardize", False)
        if "estimators_" in state:  # fitted before window_length_ (and 'auto') existed
            state.setdefault("window_length_", state["window_length"])
            state.setdefault("window_scaling_", _as_scalings(state["window_scaling"]))
        super().__setstate__(state)

    # ------------------------------------------------------------------ fit --

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, X=None):
        """Fit one global model to the series ``y``.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_series), or list
            One series; aligned series as the *columns* of a 2-D array (rows
            are time steps, as in a pandas DataFrame of series); or a list of
            1-D series of different lengths.
        X : array-like of shape (n_timesteps, n_exogenous), or list, default=None
            Exogenous inputs known in advance (calendar, prices, ...), aligned
            with the rows of ``y``: one 2-D array shared by every series, or a
            list of one array per series. Forecasts then need their future
            values. When ``y`` is indexed by dates (a DatetimeIndex or
            PeriodIndex), a pandas table of ``X`` indexed by dates of the same
            kind gives its rows at ``y``'s dates (it may hold more, the
            future's too); any other ``X`` is read by position.

        Returns
        -------
        self
        """
        with one_fit_at_a_time(self):
            return self._fit(y, X)

    def _fit(self, y, X):
        if isinstance(self.horizon, bool):  # (an Integral to the parameter constraints)
            raise TypeError(f"horizon must be a positive int, got {self.horizon!r}")
        lags = self._lags()
        _as_scalings(self.window_scaling)  # bad tuples are refused before anything is fitted
        self._check_window_multiples()
        series, kind = check_series(y)
        time_index = time_index_of(y)
        X = exogenous_at(X, [dates_of(s) for s in y] if kind == "list" else dates_of(y))
        exogenous = check_exogenous(X, [len(s) for s in series], kind, None)
        names = feature_names_source(X)  # (lists of DataFrames: checked to agree)
        lengths = [len(s) - sum(lags) for s in series]  # after differencing
        window = self._window_length_for(lengths)
        self._check_lengths(series, lags, 0, "y", window)
        n_windows = self._training_window_counts(lengths, [window])[0]
        if not n_windows:  # before any network is built (an ensemble's too)
            self._refuse_without_training_windows(series, lags, window)
        scalings = self._scalings_for(n_windows)
        if self.n_estimators > 1:
            return self._fit_ensemble(y, X, lengths, kind, exogenous, window,
                                      scalings)._fitted(time_index, names)
        windows = self._training_windows(series, exogenous, lags, window)
        held_out, train = windows["held_out"], windows["train"]
        # Nothing of the estimator changes before the network has been fitted.
        floors = _floors(series, lags)
        exogenous_scaling = _column_scaling(exogenous)
        regressor = RecurrentRegressor(**{name: getattr(self, name)
                                          for name in _REGRESSOR_PARAMETERS})
        net_inputs, net_targets, _, _ = self._network_data(
            windows["inputs"], windows["targets"], windows["exogenous"],
            floors[windows["series"]], exogenous_scaling, scalings[0])
        linear, residuals = self._fit_linear(net_inputs, net_targets, train)
        fit_params = {}
        # (Held-out targets that do not vary, as a constant series gives, have no
        # R² to stop on.)
        if (self.early_stopping and held_out.sum() >= _LEAST_WINDOWS_TO_STOP_ON
                and r2_undefined_because(residuals[held_out], np.ones(held_out.sum())) is None):
            fit_params = dict(X_val=net_inputs[held_out], y_val=residuals[held_out])
        else:
            regressor.set_params(early_stopping=False)
        regressor.fit(net_inputs[train], residuals[train], **fit_params)
        self.window_length_, self.window_scaling_ = window, scalings
        self.regressor_, self.linear_, self.estimators_ = regressor, linear, None
        self.autoregression_ = (fit_autoregression(net_inputs, net_targets, train)
                                if self.combine_linear is not None else None)
        self._floors = floors
        self._exogenous_scaling = exogenous_scaling
        self.n_series_ = len(series)
        self.n_exogenous_ = 0 if exogenous is None else exogenous[0].shape[1]
        self._fit_kind = kind
        self._history = self._histories(series, exogenous, lags)
        self._held_out = self._held_out_forecasts(series, exogenous, lags, windows)
        self._calibrate(self._held_out)
        if self.refit and held_out.any():
            everything = np.ones(len(held_out), bool)
            self.linear_, residuals = self._fit_linear(net_inputs, net_targets, everything)
            self.regressor_ = _refit(regressor, net_inputs, residuals)
            if self.combine_linear is not None:
                self.autoregression_ = fit_autoregression(net_inputs, net_targets, everything)
        return self._fitted(time_index, names)

    def _fitted(self, time_index, names):
        """Keep the parameters predict reads again, to refuse them changed, the
        time index of pandas series (``_forecast_index``) and the exogenous
        inputs' column names, read from ``names`` (feature_names_source of X)."""
        self._fitted_settings = fitted_parameters(self, _READ_AT_PREDICT)
        self._time_index = time_index
        _check_feature_names(self, names, reset=True)
        return self

    def _as_given(self, forecasts, kind, steps, series):
        """Forecasts shaped as the series were given: arrays, or pandas indexed
        by the times forecast for pandas series (those fitted, or ``series``)."""
        values = _shape_like(forecasts, kind)
        time_index = (getattr(self, "_time_index", None) if series is None
                      else time_index_of(series))
        return values if time_index is None else as_time_series(values, time_index, steps)

    def _calibrate(self, record):
        """The combination's weight, chosen on the forecasts from the held-out
        origins (``record``), and the scaled errors of the combined forecasts:
        the conformal scores."""
        choose = self.combine_linear == "held_out" and record is not None
        self.combination_weight_ = (1.0 if self.combine_linear is None else
                                    combination_weight(record["truth"], record["forecasts"],
                                                       record["linear"], record["scale"])
                                    if choose else 0.5)
        if record is None:
            self.calibration_residuals_ = None
            return
        truth, network, linear, scale = (record[key] for key in
                                         ("truth", "forecasts", "linear", "scale"))
        forecasts = combine(network, linear, self.combination_weight_)
        self.calibration_residuals_ = (truth - forecasts) / scale[:, None]

    def _scalings_for(self, n_windows):
        """window_scaling as a tuple, one entry per network of the ensemble
        (cycled), 'auto' resolved for series holding ``n_windows`` training
        windows."""
        if self.window_scaling != "auto":
            return _as_scalings(self.window_scaling)
        return _MIXED_SCALINGS if n_windows >= _AUTO_WINDOW_LENGTH else _FEW_WINDOWS_SCALINGS

    def _check_window_multiples(self):
        """Refused whether or not an ensemble reads them, as a bad window_scaling
        tuple is."""
        try:
            multiples = np.asarray(self.window_multiples, dtype=float)
        except (TypeError, ValueError):  # not numbers
            multiples = None
        if (multiples is None or multiples.ndim != 1 or len(multiples) == 0
                or not np.all(multiples >= 1) or not np.all(np.isfinite(multiples))):
            raise ValueError("window_multiples must be a non-empty sequence of finite numbers "
                             f"of at least 1, got {self.window_multiples!r}")

    def _fit_ensemble(self, y, X, lengths, kind, exogenous, window, scalings):
        """The members fitted on ``y`` (series of ``lengths`` steps after
        differencing) and the ensemble's attributes."""
        # A member's window must fit in the shortest series (to forecast it)
        # and leave a training window before the held-out part of the longest.
        longest = min(min(lengths), max(n - self._held_out_steps(n) - self._steps_out()
                                        for n in lengths))
        members = [member.fit(y, X)
                   for member in member_forecasters(self, window, longest, scalings)]
        self.window_length_, self.window_scaling_ = window, scalings
        self.regressor_, self.linear_, self.estimators_ = None, None, members
        self.autoregression_ = members[0].autoregression_
        self.n_series_ = len(lengths)
        self.n_exogenous_ = 0 if exogenous is None else exogenous[0].shape[1]
        self._fit_kind = kind
        self._calibrate(median_held_out(members))
        return self

    def _fit_linear(self, net_inputs, net_targets, train):
        """The linear part fitted on the windows ``train``, and the targets
        left for the network (what it misses, on every window)."""
        if not self.linear_skip:
            return None, net_targets
        flat = net_inputs.reshape(len(net_inputs), -1)
        linear = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(flat[train], net_targets[train])
        return linear, net_targets - linear.predict(flat).reshape(net_targets.shape)

    def _lags(self):
        if self.seasonal_differences and self.seasonal_period is None:
            raise ValueError("seasonal_differences needs seasonal_period (the season length, "
                             "e.g. 12 for monthly data)")
        return difference_lags(self.differences, self.seasonal_differences,
                               self.seasonal_period)

    def _steps_out(self):
        """Steps the network outputs per window."""
        return self.horizon if self.strategy == "direct" else 1

    def _window_length_for(self, lengths):
        """window_length, or what 'auto' chooses for series of ``lengths`` steps
        after differencing: the longest window of at most ``_AUTO_WINDOW_LENGTH``
        steps (or one season of ``seasonal_period``, if longer) with at least as
        many training windows as steps (a ridge or a network fitted on fewer
        windows than each has values learns the few it saw), that every series
        is long enough to be forecast from; 1 when none has (fit then says why)."""
        if self.window_length != "auto":
            return self.window_length
        longest = max(_AUTO_WINDOW_LENGTH, self.seasonal_period or 0)
        candidates = np.arange(1, min(longest, min(lengths)) + 1)
        enough = self._training_window_counts(lengths, candidates) >= candidates
        return int(candidates[enough].max()) if enough.any() else 1

    def _training_window_counts(self, lengths, window_lengths):
        """For each of ``window_lengths``, the number of training windows
        (targets before the held-out part) over series of ``lengths`` steps
        after differencing, as ``_training_windows`` makes them."""
        lengths = np.asarray(lengths)
        room = (lengths - [self._held_out_steps(n) for n in lengths]
                - self._steps_out() + 1)
        return np.maximum(room[:, None] - np.asarray(window_lengths)[None, :], 0).sum(axis=0)

    def _refuse_without_training_windows(self, series, lags, window):
        """Raise the ValueError of series that hold no window whose targets end
        before the held-out part."""
        advice = ("a smaller validation_fraction (or None), a shorter horizon, or longer "
                  "series" if self.window_length == "auto" else
                  "a shorter window_length, a smaller validation_fraction (or None), or "
                  "longer series")
        raise ValueError(
            f"no training window: the longest series has {max(len(s) for s in series)} "
            f"steps, fewer than {self._window_named(window)} + differencing {sum(lags)} + "
            f"{self._steps_out()} step(s) to forecast + the held-out part "
            f"(validation_fraction={self.validation_fraction}, at least horizon="
            f"{self.horizon} steps); use {advice}")

    def _window_named(self, window):
        """The window in messages, saying when 'auto' chose it."""
        chosen = " (chosen by window_length='auto')" if self.window_length == "auto" else ""
        return f"window_length {window}{chosen}"

    def _check_lengths(self, series, lags, extra, name, window, described=None):
        """Every series holds ``window`` steps (``described`` says what that
        window is, else ``_window_named``), the differencing lags and ``extra``."""
        needed = window + sum(lags) + extra
        for i, s in enumerate(series):
            if len(s) < needed:
                parts = described or self._window_named(window)
                if lags:
                    parts += f" + differencing {sum(lags)}"
                if extra:
                    parts += f" + {extra} step{'s' if extra > 1 else ''} to forecast"
                where = name if len(series) == 1 else f"series {i} of {name}"
                advice = ("a longer series" if self.window_length == "auto" else
                          "a shorter window_length or a longer series")
                raise ValueError(f"{where} has {len(s)} time steps, fewer than the {needed} "
                                 f"needed ({parts}); use {advice}")

    def _training_windows(self, series, exogenous, lags, length):
        """Every window of ``length`` steps of every series, with what the
        held-out split, the calibration and the network need. Windows of
        series i start at each step of its differenced series (no loop over
        time)."""
        out = self._steps_out()
        parts = {key: [] for key in ("inputs", "targets", "exogenous", "held_out", "train",
                                     "series", "ends")}
        for i, s in enumerate(series):
            z, _ = difference(s, lags)
            if len(z) < length + out:
                continue  # too short to train on; the forecaster can still forecast it
            offset = len(s) - len(z)
            view = np.lib.stride_tricks.sliding_window_view(z, length + out)
            starts = np.arange(len(view))
            parts["inputs"].append(view[:, :length])
            parts["targets"].append(view[:, length:])
            if exogenous is not None:
                exo = np.lib.stride_tricks.sliding_window_view(exogenous[i][offset:],
                                                               length + out, axis=0)
                parts["exogenous"].append(exo.transpose(0, 2, 1))
            # The held-out part: the last steps of the series (at least one
            # window's targets); a window is held out when its targets lie
            # inside it, used for training when they all lie before it.
            # Windows straddling the cut are in neither part (but the refit
            # trains on every window).
            cut = len(z) - self._held_out_steps(len(z))
            parts["held_out"].append(starts + length >= cut)
            parts["train"].append(starts + length + out <= cut)
            parts["series"].append(np.full(len(view), i))
            parts["ends"].append(starts + length + offset)
        return {key: np.concatenate(value) if value else None for key, value in parts.items()}

    def _held_out_steps(self, n_steps):
        if self.validation_fraction is None:
            return 0
        return max(int(np.ceil(self.validation_fraction * n_steps)), self.horizon)

    def _network_data(self, inputs, targets, exogenous, floors, exogenous_scaling, scaling):
        """Network inputs and targets of windows, each scaled by its own level
        and scale (by ``scaling``, at least ``floors``, one per window),
        exogenous columns by their mean and std; and those levels and scales."""
        loc, scale = scale_windows(inputs, scaling, floors)
        scaled_inputs = (inputs - loc[:, None]) / scale[:, None]
        if not np.all(np.isfinite(scaled_inputs)):
            # (e.g. steps between +-1e308: their differences or distances to the
            # window's level exceed the largest float)
            raise ValueError("the windows of the series overflow float64 once differenced "
                             "and scaled by their level and spread: the series hold values "
                             "too close to the largest float (1.8e308); divide them by a "
                             "large constant first")
        net_inputs = _network_input(scaled_inputs, exogenous, exogenous_scaling)
        return net_inputs, (targets - loc[:, None]) / scale[:, None], loc, scale

    def _predict_scaled(self, inputs, exogenous, floors, part):
        """The forecasts of windows by the network (``part='network'``) or the
        linear autoregression (``'linear'``), mapped back to their level and
        scale."""
        net_inputs, _, loc, scale = self._network_data(inputs, inputs[:, :0], exogenous, floors,
                                                       self._exogenous_scaling,
                                                       self.window_scaling_[0])
        if part == "linear":
            outputs = self.autoregression_.predict(net_inputs.reshape(len(inputs), -1))
            return outputs.reshape(len(inputs), -1) * scale[:, None] + loc[:, None]
        outputs = self.regressor_.predict(net_inputs).reshape(len(inputs), -1)
        if self.linear_ is not None:
            outputs = outputs + self.linear_.predict(
                net_inputs.reshape(len(inputs), -1)).reshape(outputs.shape)
        return outputs * scale[:, None] + loc[:, None]

    def _histories(self, series, exogenous, lags):
        """The ends of the series that forecasts after them read."""
        keep = self.window_length_ + sum(lags)
        return [(s[-keep:], None if exogenous is None else exogenous[i][-self.window_length_:])
                for i, s in enumerate(series)]

    def _held_out_forecasts(self, series, exogenous, lags, windows):
        """``horizon``-step forecasts made from every held-out window, with
        their truth (NaN for the steps after the end of the series), the scale
        of their input window, their series and origin (the time step they
        start at). Windows whose horizon runs past the end still score their
        first steps: a short held-out part has few complete windows. With
        exogenous inputs, only complete windows (the rows after the end are
        unknown)."""
        if not windows["held_out"].any():
            return None
        ends, ids = windows["ends"][windows["held_out"]], windows["series"][windows["held_out"]]
        lengths = np.array([len(s) for s in series])
        if exogenous is not None:
            complete = ends + self.horizon <= lengths[ids]
            ends, ids = ends[complete], ids[complete]
            if len(ends) == 0:
                return None
        parts = {key: [] for key in ("forecasts", "linear", "truth", "scale", "series",
                                     "ends")}
        for i in np.unique(ids):
            origins = ends[ids == i]
            if exogenous is None:  # up to the last step (windows end H steps before)
                origins = np.arange(origins.min(), len(series[i]))
            _, levels = difference(series[i], lags)
            offset = len(series[i]) - len(levels[-1])
            inputs = levels[-1][origins[:, None] - offset + np.arange(-self.window_length_, 0)]
            exo = None
            if exogenous is not None:
                rows = origins[:, None] + np.arange(-self.window_length_, self.horizon)
                exo = exogenous[i][rows]
            tails = history_tails(levels, lags, origins)
            forecasts, scale = self._forecast(inputs, exo, tails, lags, self.horizon,
                                              self._floors[i])
            parts["forecasts"].append(forecasts)
            if self.autoregression_ is not None:
                parts["linear"].append(self._forecast(inputs, exo, tails, lags, self.horizon,
                                                      self._floors[i], "linear")[0])
            times = origins[:, None] + np.arange(self.horizon)
            known = times < len(series[i])
            parts["truth"].append(np.where(known, series[i][np.where(known, times, 0)], np.nan))
            parts["scale"].append(scale)
            parts["series"].append(np.full(len(origins), i))
            parts["ends"].append(origins)
        return {key: np.concatenate(value) if value else None for key, value in parts.items()}

    # -------------------------------------------------------------- predict --

    def _forecast(self, inputs, exogenous, tails, lags, n_steps, floors, part="network"):
        """Forecasts (n, n_steps) in the units of the series from windows
        ``inputs`` (n, window_length) of the differenced series (whose scales
        are at least ``floors``) by ``part`` (the network or the linear
        autoregression), and the scale of each input window (for the
        intervals)."""
        length = self.window_length_
        _, input_scale = scale_windows(inputs, "standardize", floors)
        if self.strategy == "direct":
            window_exo = None if exogenous is None else exogenous[:, :length + self.horizon]
            z = self._predict_scaled(inputs, window_exo, floors, part)[:, :n_steps]
        else:
            # Each step is one batched call of the network over every window:
            # the next input depends on the previous forecast.
            z = np.empty((len(inputs), n_steps))
            window = inputs.copy()
            for step in range(n_steps):
                window_exo = None if exogenous is None else exogenous[:, step:step + length + 1]
                z[:, step] = self._predict_scaled(window, window_exo, floors, part)[:, 0]
                window = np.concatenate([window[:, 1:], z[:, step:step + 1]], axis=1)
        return integrate(z, tails, lags), input_scale

    def _prepare(self, series, X, n_steps):
        """Input windows, exogenous rows and history tails at the end of each
        series (those fitted when ``series`` is None)."""
        lags = self._lags()
        future = self.horizon if self.strategy == "direct" else n_steps
        X = exogenous_at(X, self._exogenous_dates(series, future))
        if X is not None and self.n_exogenous_:  # (columns are read by position)
            _check_feature_names(self, feature_names_source(X), reset=False)
        if series is None:
            ends = [history for history, _ in self._history]
            past = [exo for _, exo in self._history]
            future_X = check_exogenous(X, [future] * len(ends), self._fit_kind,
                                       self.n_exogenous_)
            exogenous = (None if future_X is None else
                         [np.concatenate([p, f]) for p, f in zip(past, future_X)])
            kind, floors = self._fit_kind, self._floors
        else:
            ends, kind = check_series(series, "series")
            self._check_lengths(ends, lags, 0, "series", self.window_length_)
            full = check_exogenous(X, [len(s) + future for s in ends], kind, self.n_exogenous_)
            exogenous = (None if full is None else
                         [x[len(s) - self.window_length_:] for s, x in zip(ends, full)])
            floors = _floors(ends, lags)
        inputs, tails = [], []
        for s in ends:
            z, levels = difference(s, lags)
            inputs.append(z[-self.window_length_:])
            tails.append(history_tails(levels, lags, np.array([len(s)])))
        tails = [np.concatenate(level) for level in zip(*tails)] if lags else []
        exo = None if exogenous is None else np.stack(exogenous)
        return np.stack(inputs), exo, tails, lags, kind, floors

    def _exogenous_dates(self, series, future):
        """The dates of the exogenous rows a forecast reads (see _prepare), or
        None when they are not known: those of the ``future`` steps after the
        series fitted (``series`` None), else ``series``' own and the future's."""
        if series is None:
            return future_dates(getattr(self, "_time_index", None), future)
        if isinstance(series, (list, tuple)):
            return [_with_future_dates(s, future) for s in series]
        return _with_future_dates(series, future)

    def _predict_steps(self, horizon, series, X):
        check_is_fitted(self, "estimators_")
        check_parameters_as_fitted(self, getattr(self, "_fitted_settings", None))
        steps = check_steps(
            horizon, self.horizon, self.horizon if self.strategy == "direct" else None,
            lambda asked: f"the direct strategy forecasts at most horizon={self.horizon} steps "
                          f"(what it was fitted for), {asked} were asked; refit with a larger "
                          "horizon or use strategy='recursive'")
        network, linear, scale, kind = self._components(steps, series, X)
        forecasts = combine(network, linear, self.combination_weight_)
        _check_forecasts_finite(forecasts)
        return forecasts, scale, steps, kind

    def _components(self, steps, series, X):
        """The forecasts of ``steps`` by the network(s) (the median of an
        ensemble's) and by the linear autoregression (None without), the scale
        of each input window and the kind of input."""
        if self.estimators_ is not None:
            if series is not None:  # said for the ensemble, not by the member that needs most
                longest = max(member.window_length_ for member in self.estimators_)
                self._check_lengths(
                    check_series(series, "series")[0], self._lags(), 0, "series", longest,
                    f"the longest window of the ensemble's networks, {longest} steps, "
                    f"from {self._window_named(self.window_length_)} and window_multiples "
                    f"{tuple(self.window_multiples)}")
            # Member 0's linear part and window scale, as in calibration_residuals_.
            outputs = [member._components(steps, series, X) for member in self.estimators_]
            network = np.median([output[0] for output in outputs], axis=0)
            return (network,) + outputs[0][1:]
        inputs, exo, tails, lags, kind, floors = self._prepare(series, X, int(steps[-1]))
        network, scale = self._forecast(inputs, exo, tails, lags, int(steps[-1]), floors)
        linear = None
        if self.autoregression_ is not None:
            linear = self._forecast(inputs, exo, tails, lags, int(steps[-1]), floors,
                                    "linear")[0][:, steps - 1]
        return network[:, steps - 1], linear, scale, kind

    def predict(self, horizon=None, *, series=None, X=None):
        """Forecast the steps after the end of each series.

        Parameters
        ----------
        horizon : int or array-like of int, default=None
            Number of steps to forecast (``None``: the ``horizon`` parameter),
            or the steps themselves, 1 being the step after the end of the
            series (as sktime's relative ``fh``, whose steps are sorted: the
            forecasts come in increasing order of step, each step once).
        series : array-like or list, default=None
            Series to forecast from, in the formats of :meth:`fit`; None
            forecasts after the end of the series fitted. Each needs at least
            ``window_length_`` (plus the differencing lags) steps, or for an
            ensemble the longest window of its networks.
        X : array-like or list, default=None
            Exogenous inputs (if fitted with them) of the steps to forecast:
            ``horizon`` rows (the fitted ``horizon`` for ``strategy='direct'``).
            With ``series``, the rows of the series followed by those of the
            steps to forecast. Tables indexed by dates are read at the dates
            forecast (and the series'), as in :meth:`fit`, when the series
            have dates and a next time (the forecasts' index).

        Returns
        -------
        forecasts : ndarray of shape (n_steps,) or (n_steps, n_series)
            1-D for one series given as a 1-D array; otherwise one column per
            series (for a list of series too). For series given as a pandas
            Series or DataFrame, a Series or DataFrame of their name or
            columns, indexed by the times forecast (the series' index
            continued by its period, frequency or integer step; else by the
            steps).
        """
        forecasts, _, steps, kind = self._predict_steps(horizon, series, X)
        return self._as_given(forecasts, kind, steps, series)

    def predict_interval(self, horizon=None, *, coverage=0.9, series=None, X=None):
        """Split-conformal prediction intervals around :meth:`predict`.

        The conformal scores are the absolute errors of the forecasts made
        from the held-out windows (``calibration_residuals_``, every step
        whose truth is known), each divided by the scale of its input window.
        The half-width at step ``k`` is the finite-sample conformal quantile
        (the ``ceil((n + 1) coverage)``-th smallest) of the ``n`` scores of
        step ``k``, times the scale of the current input window.
        When step ``k`` has too few scores for a finite quantile (fewer than
        19 at 95%), it pools those of the steps before it, each divided by
        the typical error of its step (the mean, non-decreasing over the
        horizon), and the quantile is multiplied by that of step ``k``; when
        even every step up to ``k`` has too few, the interval is infinite.

        Parameters
        ----------
        horizon, series, X
            As in :meth:`predict`; at most the fitted ``horizon`` steps.
        coverage : float, default=0.9
            Nominal probability that the truth lies in the interval.

        Returns
        -------
        lower, upper : ndarrays shaped as the output of :meth:`predict`
        """
        if not (isinstance(coverage, Real) and 0 < coverage < 1):
            raise ValueError(f"coverage must be a probability in (0, 1), got {coverage!r}")
        check_is_fitted(self, "estimators_")
        if self.calibration_residuals_ is None:
            raise ValueError("no held-out window to calibrate intervals on: fit with "
                             "validation_fraction set and series long enough for a window "
                             "and a horizon inside the held-out part")
        steps = check_steps(horizon, self.horizon, self.horizon,
                            lambda asked: f"intervals are calibrated for at most horizon="
                                          f"{self.horizon} steps, {asked} were asked; refit "
                                          "with a larger horizon")
        forecasts, scale, steps, kind = self._predict_steps(steps, series, X)
        widths = step_half_widths(self.calibration_residuals_, coverage)
        width = widths[steps - 1][None, :] * scale[:, None]
        lower, upper = forecasts - width, forecasts + width
        _check_forecasts_finite(lower[np.isfinite(width)], upper[np.isfinite(width)])
        return (self._as_given(lower, kind, steps, series),
                self._as_given(upper, kind, steps, series))

    def score(self, y, X=None):
        """R^2 of the forecast of ``y``, the steps that follow the fitted
        series (averaged over series): what :class:`~sklearn.model_selection.
        GridSearchCV` with :class:`~sklearn.model_selection.TimeSeriesSplit`
        maximizes."""
        truth, kind = check_series(y)
        forecasts = np.asarray(self.predict(len(truth[0]), X=X))
        return r2_score(np.column_stack(truth), forecasts.reshape(len(truth[0]), -1))


def _with_future_dates(series, future):
    """The dates of a pandas ``series`` followed by those of its ``future``
    steps, or None without dates."""
    dates, ahead = dates_of(series), future_dates(time_index_of(series), future)
    return None if dates is None or ahead is None else dates.append(ahead)


def _as_scalings(window_scaling):
    """window_scaling (not 'auto') as a tuple, one entry per network of the
    ensemble (cycled); a tuple that holds anything else is refused."""
    if window_scaling == "auto":
        return None
    if not isinstance(window_scaling, (tuple, list)):
        return (window_scaling,)
    scalings = tuple(window_scaling)
    if not scalings or any(scaling not in _SCALINGS + (None,) for scaling in scalings):
        raise ValueError("window_scaling must be 'auto', 'standardize', 'last', None or a "
                         f"non-empty tuple of 'standardize', 'last' and None, got "
                         f"{window_scaling!r}")
    return scalings


def _check_forecasts_finite(*forecasts):
    """A FloatingPointError, as the regressors' predict raises, for forecasts
    (or interval bounds) beyond the largest float: mapped back to the level
    and scale of series near 1.8e308, they would be returned as inf or NaN."""
    if not all(np.all(np.isfinite(values)) for values in forecasts):
        raise FloatingPointError("forecasts (or their interval bounds) overflow float64: the "
                                 "series end too close to the largest float (1.8e308) for "
                                 "them to be represented; divide the series by a large "
                                 "constant")


def _refit(regressor, inputs, targets):
    """A fresh regressor trained on every window for as many epochs as the
    held-out part found best."""
    scores = regressor.validation_scores_
    epochs = regressor.n_iter_ if not scores else int(np.argmax(scores)) + 1
    refitted = clone(regressor).set_params(max_iter=epochs, early_stopping=False)
    with warnings.catch_warnings():
        # Stopping after the chosen number of epochs is the point.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return refitted.fit(inputs, targets)


def _floors(series, lags):
    """The least window scale of each series, from its differenced values
    (those its windows hold)."""
    return np.array([scale_floor(difference(s, lags)[0]) for s in series])


def _shape_like(forecasts, kind):
    """(n_series, n_steps) forecasts shaped as the input series were."""
    return forecasts[0] if kind == "1d" else forecasts.T


def _network_input(scaled, exogenous, scaling):
    """(n, steps, features) input: the scaled window; with exogenous inputs,
    also the steps to forecast, flagged, with their exogenous values."""
    if exogenous is None:
        return scaled[:, :, None]
    n, length = scaled.shape
    mean, std = scaling
    sequence = np.zeros((n, exogenous.shape[1], 2 + exogenous.shape[2]))
    sequence[:, :length, 0] = scaled
    sequence[:, length:, 1] = 1.0
    sequence[:, :, 2:] = (exogenous - mean) / std
    return sequence


def _column_scaling(exogenous):
    if exogenous is None:
        return None
    stacked = np.concatenate(exogenous)
    std = stacked.std(axis=0)
    return stacked.mean(axis=0), np.where(std > 0, std, 1.0)
