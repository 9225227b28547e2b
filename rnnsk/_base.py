"""What every recurrent estimator shares: parameters, their validation, and the
training loop (epochs of shuffled minibatches, early stopping, warm start).

The classifier and the regressor (``_classes.py``) only say how targets become
outputs of the head and what loss those outputs have.
"""
import copy
import threading
import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (Interval, Options, StrOptions,
                                            validate_parameter_constraints)
from sklearn.utils.validation import _check_feature_names, check_is_fitted

from ._fit_lock import one_fit_at_a_time, without_fit_lock
from ._heads import SequenceHead
from ._init import INITS
from ._input_noise import InputNoise, input_noise_of
from ._input_scaling import (fold, input_statistics, sequence_chunks, standardized,
                             unfold)
from ._memory import check_embedding_fits, check_layers_fit, check_network_fits
from ._model import SequenceModel
from ._network import CELLS, gate_count, single_threaded_blas
from ._patches import auto_patch_length, patched, patched_statistics, patched_width
from ._readouts import READOUTS, make_readout
from ._sequence_features import (CONSTANT_INPUTS_PER_FEATURE, INPUTS_PER_FEATURE,
                                 read_statistics, sequence_features_on_demand, sequence_floor,
                                 with_sequence_features)
from ._progress import EpochProgress
from ._optim import (AdamOptimizer, Diverged, InterruptedAfterStep, SGDOptimizer,
                     add_weight_decay, clip_by_global_norm)
from ._device import check_device
from ._text import TokenIds
from ._threads import effective_n_threads
from ._version import PICKLE_FORMAT, __version__
from ._validation import (SequenceInputMixin, Sequences, as_sequence_list,
                          check_parameter_mapping, check_same_feature_names,
                          check_same_features, check_sequences,
                          check_tokens, feature_names_source, feature_signature)

# What estimators pickled before init, readout, learning_rate and standardize
# existed were built with.
_SETTINGS_BEFORE_DEFAULTS = dict(init="pytorch", readout="last", learning_rate="constant",
                                 standardize=False)

# With learning_rate='adaptive', training stops once the rate is this small (as
# scikit-learn's MLP).
_SMALLEST_RATE = 1e-6

# Sequences predicted per call of the core: bounds the memory of predict.
_PREDICT_CHUNK = 1024

# early_stopping='auto' holds out validation data above this many sequences
# (scikit-learn's HistGradientBoosting* rule): on large sets an epoch is long and
# the held-out part is both affordable and reliable; below it every sequence is
# kept for training. docs/guide/defaults.md has the measurements.
_AUTO_EARLY_STOPPING_ABOVE = 10_000

# n_iter_no_change='auto': the validation score of this many held-out sequences
# (what early_stopping='auto' holds out at the least) is steady, so one epoch
# without progress cuts the rate; a fit without it watches its training loss, or
# a small held-out part, both noisy, and keeps scikit-learn MLP's patience.
# docs/guide/defaults.md has the measurements.
_STEADY_VALIDATION_SIZE = _AUTO_EARLY_STOPPING_ABOVE // 10
VALIDATED_PATIENCE = 1
NOISY_PATIENCE = 10
PATIENCE_CONSTRAINT = {
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})]}


# The estimators of one output per sequence read long sequences in patches.
PATCH_LENGTH_CONSTRAINT = {
    "patch_length": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})]}


class BaseRecurrent(SequenceInputMixin, BaseEstimator):
    """Shared implementation of the recurrent classifiers and regressors.

    Each estimator declares its parameters, with their defaults, in its own
    ``__init__`` signature, and the subset of ``_parameter_constraints`` it
    takes. ``cell`` is a parameter, or a class attribute where the class fixes
    it (LSTMClassifier...)."""

    # batch_size='auto': minibatches of at most this many sequences, an epoch
    # split into near-equal ones (else MLP's rule: full ones and a smaller last).
    _auto_batch_size = 32
    _auto_batches_near_equal = True

    # Parameters that shape the network or how it reads its inputs: a fit reads
    # them only when it starts afresh, so a warm start or partial_fit refuses
    # new values rather than ignoring them (subclasses add their own). predict
    # reads with the fitted bptt_steps: the readout summarizes the last window,
    # so the window is part of the model.
    # Parameters the network is built with (dropout and vocabulary_size too:
    # the core and the embedding are made with them), refused changed by a
    # warm start or partial_fit, which would ignore them.
    _structure_parameters = ("cell", "hidden_size", "num_layers", "bidirectional", "readout",
                             "embedding_dim", "vocabulary_size", "dropout", "dtype",
                             "patch_length", "standardize", "sequence_standardize",
                             "bptt_steps")

    _parameter_constraints = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "num_layers": [Interval(Integral, 1, None, closed="left"), None],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "vocabulary_size": [Interval(Integral, 1, None, closed="left"), None],
        "embedding_dropout": [Interval(Real, 0, 1, closed="left")],
        "solver": [StrOptions({"adam", "sgd"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "n_threads": [Integral, None],
        "dtype": [StrOptions({"float32", "float64"}), Options(type, {np.float32, np.float64})],
        "bptt_steps": [Interval(Integral, 1, None, closed="left"), None],
        "device": [str],
        "init": [StrOptions(set(INITS))],
        "readout": [StrOptions(set(READOUTS))],
        "learning_rate": [StrOptions({"constant", "adaptive"})],
        "standardize": ["boolean"],
    }

    def _hidden_sizes(self):
        """One hidden size per layer, from ``hidden_size`` and ``num_layers``."""
        if isinstance(self.hidden_size, (tuple, list)):
            sizes = tuple(self.hidden_size)
            if not sizes or not all(isinstance(s, Integral) and not isinstance(s, bool) and s >= 1
                                    for s in sizes):
                raise ValueError("hidden_size must be a positive int or a non-empty sequence "
                                 f"of positive ints, got {self.hidden_size!r}")
            if self.num_layers is not None and self.num_layers != len(sizes):
                raise ValueError(f"hidden_size gives {len(sizes)} layer sizes but num_layers "
                                 f"is {self.num_layers}; leave num_layers=None or make them "
                                 "agree")
            return tuple(int(s) for s in sizes)
        check_layers_fit(int(self.hidden_size), self.num_layers or 1)
        return (int(self.hidden_size),) * (self.num_layers or 1)

    def _check_n_threads(self):
        # Read by predict too, after fit checked it (set_params may change it since).
        validate_parameter_constraints(
            {"n_threads": self._parameter_constraints["n_threads"]},
            {"n_threads": self.n_threads}, caller_name=type(self).__name__)
        if self.n_threads == 0:
            raise ValueError("n_threads must be a positive number of threads, or negative to "
                             "count back from all cores (-1 = all), or None; got 0")
        return effective_n_threads(self.n_threads)

    # ---------------------------------------------------------------- input --

    def _validate_sequences(self, X, *, reset):
        """X as padded Sequences; on ``reset`` records what fit saw, otherwise
        checks that X matches it."""
        # Token ids if the fitted model has an embedding (whatever embedding_dim says now)
        reads_tokens = (self.embedding_dim is not None if reset
                        else self.model_.embedding is not None)
        if reads_tokens:
            vocabulary = None if reset else self.model_.embedding.shape[0]
            return check_tokens(X, vocabulary_size=vocabulary)
        if isinstance(X, TokenIds):
            raise ValueError(f"X holds token ids from TextSequencer, but this "
                             f"{type(self).__name__} has no embedding (embedding_dim=None) "
                             "and would read the ids as numbers: set embedding_dim, e.g. "
                             "embedding_dim=64")
        rows = as_sequence_list(X)  # (a table of sequences, converted once)
        named = feature_names_source(X, rows)  # (checks sequences given as DataFrames agree)
        sequences = check_sequences(rows, dtype=self._reading_dtype(reset))
        if not reset:
            check_same_features(sequences, self._feature_signature, type(self).__name__)
            _check_feature_names(self, named, reset=False)
        return sequences

    def _network_dtype(self, reset):
        """The precision the network computes in: ``dtype``, or, after a fit
        (``reset`` False), the fitted network's, whatever ``dtype`` says now."""
        return np.dtype(self.dtype) if reset else self.model_.dtype

    def _reading_dtype(self, reset):
        """What real-valued X is validated as: the network's precision, or,
        where the estimator standardizes its inputs (``standardize``), float64
        if X is given so (float32 as it is). Standardized values are rounded to
        the network's precision (see _as_read); rounded first, float32 would
        keep about 7 significant digits of the raw values (1e6 + 0.01 * x loses
        x) and flush those below 1e-38 to zero, where "any units" are promised.
        Inputs read as they are must be numbers of the network's precision."""
        standardizes = (getattr(self, "standardize", False) if reset
                        else getattr(self, "_input_scaling", None) is not None)
        return [np.float64, np.float32] if standardizes else self._network_dtype(reset)

    def _input_statistics(self, sequences, sample_weight, *, reset):
        """(scaling, floor): the (mean, scale) that standardizes each input the
        network reads with ``standardize`` (else None), and the floor of each
        feature's sequence statistics with ``sequence_standardize`` (else None):
        computed on ``reset``, otherwise those of the fit that built the model."""
        if not reset:
            return getattr(self, "_input_scaling", None), getattr(self, "_sequence_floor", None)
        if self.embedding_dim is not None or sequences.data.dtype.kind != "f":
            return None, None  # token ids (string tokens too) are looked up, not scaled
        standardize = getattr(self, "standardize", False)
        reads_statistics = self._reads_sequence_statistics(sequences)
        if not (standardize or reads_statistics):
            return None, None
        statistics = input_statistics(sequences, sample_weight)
        if not reads_statistics:
            return statistics, None
        return (read_statistics(statistics) if standardize else None,
                sequence_floor(statistics[1]))

    def _reads_sequence_statistics(self, sequences):
        """Whether the network reads each sequence's own statistics beside it
        (``sequence_standardize``, real-valued inputs)."""
        return (getattr(self, "sequence_standardize", False)
                and sequences.data.dtype.kind == "f")

    def _constant_inputs_of(self, sequences):
        """How many of a step's inputs a first fit on ``sequences`` reads once
        per patch: each sequence's mean and log standard deviation of every
        feature, with its statistics (estimators fitted before this layout
        read them at every step: 0)."""
        if not self._reads_sequence_statistics(sequences):
            return 0
        return CONSTANT_INPUTS_PER_FEATURE * sequences.n_features

    def _patch_length_of(self, sequences):
        """The patch length a first fit on ``sequences`` reads them in: 1 (step
        by step) for token ids and for estimators without ``patch_length``."""
        setting = getattr(self, "patch_length", 1)
        if self.embedding_dim is not None:
            if setting not in ("auto", 1):
                raise ValueError(f"patch_length={setting} reads several steps' features at "
                                 "once, but token ids (embedding_dim) are read one per step: "
                                 "leave patch_length='auto' or set it to 1")
            return 1
        if setting == "auto":
            return auto_patch_length(sequences.lengths)
        longest = int(sequences.lengths.max())
        if setting > longest:
            raise ValueError(f"patch_length={setting} is longer than the longest training "
                             f"sequence ({longest} steps): one patch would hold it all, "
                             f"padded to {setting} steps; use patch_length <= {longest}")
        return setting

    def _first_layer_statistics(self):
        """The input standardization per input of the first layer (each feature
        of a patch), or None without one."""
        scaling = getattr(self, "_input_scaling", None)
        if scaling is None:
            return None
        return patched_statistics(scaling, getattr(self, "patch_length_", 1),
                                  getattr(self, "_constant_inputs", 0))

    @staticmethod
    def _check_sample_weight(sample_weight, n_samples):
        if sample_weight is None:
            return np.ones(n_samples)
        try:
            weights = np.asarray(sample_weight)
        except ValueError as error:  # ragged, e.g. one weight per step of each sequence
            raise ValueError("sample_weight must hold one number per sequence (of X), got "
                             "sequences of numbers") from error
        if weights.dtype.kind == "c":  # never silently cut to its real part
            raise ValueError("Complex data not supported: sample_weight has complex values")
        try:  # numeric strings are numbers, as scikit-learn reads them
            weights = weights.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"sample_weight must hold numbers, got {weights.dtype} values "
                            f"such as {weights.ravel()[:1].tolist()}") from error
        if weights.ndim == 0:
            weights = np.full(n_samples, float(weights))
        if weights.shape != (n_samples,):
            raise ValueError(f"sample_weight.shape == {weights.shape}, expected "
                             f"({n_samples},)!")
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError("sample_weight must be finite and non-negative")
        if not weights.any():  # (a sum of huge weights would overflow)
            raise ValueError("sample_weight sums to zero: no sample would count")
        return weights

    # ------------------------------------------------------------- training --

    def _fit(self, X, y, sample_weight, *, incremental, classes=None, validation_data=None):
        # The core's threads do the heavy work. numpy's products around its
        # calls (the orthogonal initialisation's QR, the head, weight decay, the
        # clipping norm, the optimizer) are small, and BLAS threads woken for
        # any of them keep spinning against the core's threads for the cores.
        with one_fit_at_a_time(self), single_threaded_blas():
            return self._fit_on_one_blas_thread(
                X, y, sample_weight, incremental=incremental, classes=classes,
                validation_data=validation_data)

    def _fit_on_one_blas_thread(self, X, y, sample_weight, *, incremental, classes,
                                validation_data):
        self._turns()
        hidden_sizes = self._hidden_sizes()
        n_threads = self._check_n_threads()
        device = check_device(self.device)
        if self.bptt_steps is not None and self._bidirectional():
            raise ValueError("bptt_steps needs bidirectional=False: the reverse direction "
                             "of a window would need the steps after it")
        first_call = not (incremental or self.warm_start) or not hasattr(self, "model_")
        if not first_call:
            self._check_same_structure()
        # Nothing of the estimator changes until every input has been checked
        # and the validation split is made.
        sequences, targets, weights, target_info, weight_unit = self._training_data(
            X, y, sample_weight, reset=first_call, classes=classes)
        _refuse_nan_given(sequences)
        if not first_call and not incremental:
            self._check_warm_start_targets(targets)
        target_moments = None
        if first_call or incremental:
            targets, target_info, target_moments = self._stream_target_scaling(
                targets, target_info, weights * weight_unit, merge=not first_call)
        scaling, floor = self._input_statistics(sequences, weights, reset=first_call)
        embedding_dropout = self._embedding_dropout(sequences)
        if embedding_dropout > 0 and sequences.data.dtype.kind == "f":
            raise ValueError(f"embedding_dropout={embedding_dropout} needs an embedding: "
                             "set embedding_dim (X of token ids), or leave "
                             "embedding_dropout=0")
        penalty_per_unit = (0.0 if self.alpha == 0 else
                            self.alpha / weight_unit if weight_unit > 0 else np.inf)
        if not np.isfinite(penalty_per_unit):
            raise ValueError(
                f"the sample weights are so small that alpha={self.alpha} per unit of weight "
                "(the L2 penalty is alpha/2 |W|^2 per unit of sample weight, as in "
                "scikit-learn's MLP) overflows; multiply sample_weight by a constant "
                "(with a correspondingly smaller alpha) or set alpha=0")
        vocabulary = self._vocabulary(sequences) if first_call else None
        rng = (check_random_state(self.random_state) if first_call
               else copy.deepcopy(self._random_state))
        patch_length = (self._patch_length_of(sequences) if first_call
                        else getattr(self, "patch_length_", 1))
        constant_inputs = (self._constant_inputs_of(sequences) if first_call
                           else getattr(self, "_constant_inputs", 0))
        noise_setting = self._input_noise_setting(patch_length)
        dtype = self._network_dtype(first_call)
        if noise_setting == 0:  # nothing to measure: read straight into patches
            input_noise = None
            read = _as_read(sequences, scaling, patch_length, floor, constant_inputs,
                            dtype=dtype)
        else:
            # The inputs beside their sequences' statistics (sequence_standardize),
            # before standardization and patches: what the noise is measured on,
            # a slice of sequences at a time.
            inputs = (sequences if floor is None
                      else sequence_features_on_demand(sequences, floor))
            noise_std = input_noise_of(noise_setting, inputs, scaling, patch_length,
                                       constant_inputs, weights)
            input_noise = (None if noise_std is None
                           else InputNoise(noise_std, seed=rng.randint(2**31)))
            read = _as_read(sequences, scaling, patch_length, floor, constant_inputs,
                            dtype=dtype)
        training = (read, targets, weights)
        validation = None
        if validation_data is not None:
            validation = self._check_validation_data(*validation_data, X, sequences,
                                                     target_info, vocabulary)
            validation_given = validation[0]
            # read as the training sequences are
            validation = (_as_read(validation_given, scaling, patch_length, floor,
                                   constant_inputs, dtype=dtype), *validation[1:])
            _refuse_overflowed(validation[0], validation_given, "X_val")
            self._check_validation_part(*validation[1:], "X_val, y_val")
        elif not incremental and self._stops_early(sequences):
            training, validation = self._split(*training, rng)
            self._check_validation_part(
                *validation[1:], f"early_stopping's held-out part (validation_fraction="
                f"{self.validation_fraction}: {len(validation[0])} of {len(sequences)} "
                "sequences)")

        if first_call:
            self._initialize(sequences, target_info, vocabulary, hidden_sizes, n_threads,
                             device, rng)
            self._input_scaling = scaling
            self._sequence_floor = floor
            # Absent from estimators fitted before patches read the sequence
            # statistics once, and read as 0: at every step of a patch.
            self._constant_inputs = constant_inputs
            self._structure = self._structure_settings()
            _check_feature_names(self, feature_names_source(X), reset=True)
        moved = self.model_.to_device(device)
        self._random_state = rng
        self._penalty_per_unit_weight = penalty_per_unit
        self.model_.n_threads = n_threads
        self.model_.embedding_dropout = embedding_dropout
        if (not incremental or moved or not hasattr(self, "_optimizer")
                or not self._optimizer_is_current()):
            self._optimizer = self._make_optimizer()
        else:
            # partial_fit continues the optimizer's moments at learning_rate_init,
            # as MLP's adam does: the 'adaptive' rule cuts the rate on a plateau
            # within a fit, and the rate a fit ended at (near zero once converged)
            # would leave the calls after it learning nothing (_track_best_loss).
            self._optimizer.learning_rate = self.learning_rate_init
        if not incremental:
            # Every call to fit stops on its own progress. A warm start kept the
            # bests of the fit before (on other data, or another held-out part):
            # no epoch beat them, the rate was cut to its floor, and early
            # stopping restored the weights the fit began from. It now starts
            # from its starting weights' score on its own held-out part: they
            # are kept unless an epoch beats them there.
            self.best_loss_ = np.inf
            self._no_improvement_count = 0
            self.best_validation_score_ = (
                None if validation is None else -np.inf if first_call
                else self._validation_score(*validation))
            if validation is None:
                self.validation_scores_ = None
            elif self.validation_scores_ is None:
                # A warm start that now stops early: its scores begin with this fit.
                self.validation_scores_ = []
        with self._turns():
            self._keep_target_scaling(target_info, target_moments)
        self._run_epochs(*training, validation, epochs=1 if incremental else self.max_iter,
                         incremental=incremental, input_noise=input_noise)
        return self

    def _structure_settings(self):
        """The values of _structure_parameters (those this estimator has) as the
        network is built from them: the layer sizes for hidden_size and
        num_layers (8, (8,) and [8] with num_layers None or 1 are one network),
        the fitted patch_length_ for patch_length='auto'."""
        params = self.get_params(deep=False)
        settings = {name: params[name] for name in self._structure_parameters
                    if name in params and name not in ("hidden_size", "num_layers")}
        if "hidden_size" in params:
            names = "hidden_size, num_layers" if "num_layers" in params else "hidden_size"
            settings[names] = tuple(int(size) for size in self._hidden_sizes())
        if "bidirectional" in settings:
            settings["bidirectional"] = self._bidirectional()
        if "dtype" in settings:
            settings["dtype"] = np.dtype(settings["dtype"]).name
        if settings.get("patch_length") == "auto" and hasattr(self, "patch_length_"):
            settings["patch_length"] = self.patch_length_
        return settings

    def _fitted_structure(self, names):
        """The values of those of ``names`` that the fit recorded among its
        structure (none for estimators fitted before it recorded them)."""
        structure = getattr(self, "_structure", None) or {}
        return {name: structure[name] for name in names if name in structure}

    def _check_same_structure(self):
        """A warm start or partial_fit continues the fitted network: refuse
        parameters that would have built another one, which it would ignore."""
        fitted = getattr(self, "_structure", None)  # absent: fitted before the check
        if fitted is None:
            return
        written = self.get_params(deep=False)
        changed = [f"{name} {now!r} ({self._resolved_from(written.get(name))}fitted with "
                   f"{fitted[name]!r})"
                   for name, now in self._structure_settings().items()
                   if name in fitted and now != fitted[name]]
        if changed:
            raise ValueError("warm_start and partial_fit continue the fitted network, which "
                             f"these parameters cannot change: {'; '.join(changed)}. Set "
                             "them back, or call fit with warm_start=False to build the new "
                             "network (partial_fit always continues)")

    @staticmethod
    def _resolved_from(written):
        """A note for the refusal of a setting written as 'auto': it changed
        because another parameter it is resolved from did (bidirectional='auto'
        reads one way with bptt_steps)."""
        return "from 'auto'; " if isinstance(written, str) and written == "auto" else ""

    def _stops_early(self, sequences):
        """Whether a fit on ``sequences`` holds out ``validation_fraction`` of
        them for early stopping ('auto': only above _AUTO_EARLY_STOPPING_ABOVE
        sequences)."""
        if isinstance(self.early_stopping, str):  # 'auto'
            return len(sequences) > _AUTO_EARLY_STOPPING_ABOVE
        return bool(self.early_stopping)

    def _check_validation_part(self, targets, weights, where):
        """Refuse a validation part (``where`` names it) that early stopping's
        score cannot be computed on; accuracy and likelihoods always can."""

    def _input_noise_setting(self, patch_length):
        """The ``input_noise`` a fit reading its sequences in patches of
        ``patch_length`` steps trains with (0 for estimators without it)."""
        return getattr(self, "input_noise", 0.0)

    def _embedding_dropout(self, sequences):
        """The embedding dropout rate of a fit on ``sequences``."""
        return self.embedding_dropout

    def _training_data(self, X, y, sample_weight, *, reset, classes):
        """What the training loop reads: (sequences, targets, weights,
        target_info, weight_unit), with X validated, y encoded by the estimator
        and the weights relative (see _relative_weights; weight_unit is what
        one unit of relative weight was)."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y "
                             "is None")
        sequences = self._validate_sequences(X, reset=reset)
        y = self._targets_of(y, sequences)
        weights = self._check_sample_weight(sample_weight, len(sequences))
        targets, target_info = self._encode_targets(y, classes=classes, reset=reset,
                                                    sample_weight=weights / weights.max())
        weights, weight_unit = _relative_weights(
            weights, self._class_weights(targets, target_info))
        return sequences, targets, weights, target_info, weight_unit

    def _stream_target_scaling(self, targets, target_info, weights, merge):
        """(targets, target_info, moments): the regressors' target scaling over
        a first call and the partial_fit calls after it (_streamed_targets);
        others have none to keep."""
        return targets, target_info, None

    def _keep_target_scaling(self, target_info, moments):
        """Adopt what _stream_target_scaling measured, once every input is checked."""

    def _check_warm_start_targets(self, targets):
        """The encoded targets of a warm-start fit, against the fitted ones
        (classifiers refuse another set of classes, as scikit-learn's MLP)."""

    def _targets_of(self, y, sequences, names=("X", "y")):
        """``y`` as _target_container makes it, one entry per sequence of X
        (``names``: those of X and y in messages)."""
        x_name, y_name = names
        y = self._target_container(y, sequences)
        if not getattr(y, "ndim", 1):
            raise ValueError(f"{y_name} is the single value {y.item()!r}: it needs one entry "
                             f"per sequence of {x_name} ({len(sequences)})")
        if len(y) != len(sequences):
            raise ValueError(f"{x_name} holds {len(sequences)} sequences but {y_name} has "
                             f"{len(y)} entries")
        return y

    def _target_container(self, y, sequences):
        """``y`` as one indexable entry per sequence (here an array); estimators
        with one target per step check each entry against its sequence."""
        try:
            y = np.asarray(y)
        except ValueError:  # ragged: numpy's message names no argument
            raise ValueError("y must hold one target per sequence (or, for several outputs, "
                             "rows of one length); its entries have different lengths") from None
        if y.dtype.kind == "c":  # as complex X: never silently drop the imaginary part
            raise ValueError(f"Complex data not supported: y has dtype {y.dtype}")
        return y

    def _split(self, sequences, targets, weights, rng):
        """(training, validation) parts of the data for early stopping."""
        try:
            train, held_out = train_test_split(
                np.arange(len(sequences)), test_size=self.validation_fraction,
                random_state=rng.randint(2**31), stratify=self._stratify(targets))
        except ValueError as error:  # scikit-learn's message does not say which split
            raise ValueError(f"early_stopping cannot hold out validation_fraction="
                             f"{self.validation_fraction} of {len(sequences)} samples: {error}"
                             "; use more samples, another validation_fraction or "
                             "early_stopping=False") from error
        for part, rows in (("training", train), ("validation", held_out)):
            if not weights[rows].any():
                raise ValueError(f"early_stopping's {part} part (validation_fraction="
                                 f"{self.validation_fraction}) holds only samples of weight "
                                 "zero")
        return ((sequences.take(train), targets[train], weights[train]),
                (sequences.take(held_out), targets[held_out], weights[held_out]))

    def _check_validation_data(self, X_val, y_val, sample_weight_val, X, sequences,
                               target_info, vocabulary):
        """Validation (sequences, targets, weights) given to fit instead of a held-out
        fraction (e.g. the last part of a time series), checked like the training data
        (``X``, validated as ``sequences``)."""
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be passed together")
        if not isinstance(self.early_stopping, str) and not self.early_stopping:
            raise ValueError("X_val and y_val are the data of early stopping: pass "
                             "early_stopping=True (or 'auto') with them")
        if self.embedding_dim is not None:
            size = vocabulary if vocabulary is not None else self.model_.embedding.shape[0]
            held_out = check_tokens(X_val, vocabulary_size=size)
        else:
            held_out = check_sequences(X_val, dtype=self._reading_dtype(reset=True),
                                       name="X_val")
            check_same_features(held_out, feature_signature(sequences), type(self).__name__,
                                name="X_val")
            check_same_feature_names(X, X_val)
        y_val = self._targets_of(y_val, held_out, ("X_val", "y_val"))
        weights = self._check_sample_weight(sample_weight_val, len(held_out))
        # The targets are encoded as the training targets are (same classes, same
        # scaling), by a copy that knows them before the estimator itself does.
        encoder = copy.copy(self)
        encoder._set_target_info(target_info)
        targets, _ = encoder._encode_targets(y_val, classes=None, reset=False,
                                             sample_weight=weights)
        return held_out, targets, weights * self._class_weights(targets, target_info)

    def _vocabulary(self, sequences):
        """Number of token ids the embedding holds (None without embedding)."""
        if self.embedding_dim is None:
            return None
        largest = int(sequences.data.max())
        if self.vocabulary_size is None:
            check_embedding_fits(
                largest + 1, self.embedding_dim, np.dtype(self.dtype),
                f"the largest token id is {largest}, so the inferred vocabulary",
                "Map tokens to ids 0..V-1 first (TextSequencer does) or pass vocabulary_size; "
                "or use a smaller embedding_dim.")
            return largest + 1
        if largest >= self.vocabulary_size:
            raise ValueError(f"token id {largest} in X is outside the vocabulary of "
                             f"vocabulary_size={self.vocabulary_size} tokens")
        check_embedding_fits(self.vocabulary_size, self.embedding_dim, np.dtype(self.dtype),
                             f"vocabulary_size={self.vocabulary_size}",
                             "Pass the number of tokens X uses, or a smaller embedding_dim.")
        return self.vocabulary_size

    def _initialize(self, sequences, target_info, vocabulary, hidden_sizes, n_threads, device,
                    rng):
        # The model first: making it is what fails when the device cannot be
        # used, and then the estimator must be left as it was.
        check_network_fits(self.cell, gate_count(self.cell), hidden_sizes,
                           2 if self._bidirectional() else 1, np.dtype(self.dtype))
        model = self._make_model(sequences, target_info, vocabulary, hidden_sizes, n_threads,
                                 device, rng)
        self._feature_signature = feature_signature(sequences)
        self.n_features_in_ = self._feature_signature[0]
        if hasattr(self, "patch_length"):
            self.patch_length_ = self._patch_length_of(sequences)
        if "bidirectional" in self._get_param_names():
            self.bidirectional_ = self._bidirectional()  # 'auto' resolved
        self._set_target_info(target_info)
        self.model_ = model
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_ = None  # until an epoch completes (one that diverges does not)
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        # Each fit sets these as it stops early or not; partial_fit holds out nothing.
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self._no_improvement_count = 0

    def _make_model(self, sequences, target_info, vocabulary, hidden_sizes, n_threads, device,
                    rng):
        """The network the training loop updates: an object with SequenceModel's
        interface (parameters, gradients, decay_masks, n_threads, to_device,
        backward and the state_dict methods)."""
        n_inputs = sequences.n_features * (INPUTS_PER_FEATURE
                                           if self._reads_sequence_statistics(sequences) else 1)
        return SequenceModel(
            cell=self.cell,
            n_features=patched_width(n_inputs, self._patch_length_of(sequences),
                                     self._constant_inputs_of(sequences)),
            hidden_sizes=hidden_sizes,
            dropout=self.dropout,
            make_head=lambda n_features, rng: self._make_head(n_features, target_info, rng),
            dtype=np.dtype(self.dtype), random_state=rng, n_threads=n_threads, device=device,
            init=self.init, **self._input_options(vocabulary), **self._model_options())

    def _input_options(self, vocabulary):
        """How the model reads tokens: SequenceModel's vocabulary_size and
        embedding_dim (and make_char_encoder)."""
        return dict(vocabulary_size=vocabulary, embedding_dim=self.embedding_dim)

    def _model_options(self):
        """Other options of the SequenceModel that differ between estimators."""
        return dict(bidirectional=self._bidirectional())

    def _bidirectional(self):
        """Whether the network reads every sequence both ways: the classifiers'
        bidirectional='auto' does for series of numbers, unless bptt_steps
        truncates the reading (the backward direction of a window would need the
        steps after it); token ids (an embedding) are read one way, where both
        ways doubled the cost of a text fit for the same accuracy."""
        setting = getattr(self, "bidirectional", False)
        if isinstance(setting, str):  # 'auto'
            return self.bptt_steps is None and self.embedding_dim is None
        return bool(setting)

    def _make_head(self, n_features, target_info, rng):
        """The head on the top block's ``n_features`` outputs (see ``_heads.py``):
        the ``readout`` summary through a linear layer to the estimator's outputs."""
        dtype = np.dtype(self.dtype)
        readout = make_readout(self.readout, n_features, rng, dtype, self.init)
        return SequenceHead(readout, n_features, self._n_outputs(target_info), rng, dtype,
                            self.init)

    def _optimizer_settings(self):
        """The optimizer class the parameters ask for, and its settings (named
        as its attributes): what a new optimizer is made with, and what a kept
        one must still have."""
        if self.solver == "sgd":
            return SGDOptimizer, dict(momentum=self.momentum, nesterov=self.nesterovs_momentum)
        return AdamOptimizer, dict(beta_1=self.beta_1, beta_2=self.beta_2,
                                   epsilon=self.epsilon)

    def _make_optimizer(self):
        kind, settings = self._optimizer_settings()
        return kind(self.model_.parameters, self.learning_rate_init,
                    networks=self.model_.networks, **settings)

    def _optimizer_is_current(self):
        """Whether the kept optimizer is the one the parameters now ask for:
        after set_params of solver, momentum, nesterovs_momentum, beta_1, beta_2
        or epsilon, partial_fit starts a new one (its moments afresh) rather than
        train with settings get_params no longer shows."""
        kind, settings = self._optimizer_settings()
        return (isinstance(self._optimizer, kind)
                and all(getattr(self._optimizer, name) == value
                        for name, value in settings.items()))

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(self._auto_batch_size, n_samples)
        if self.batch_size > n_samples:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going "
                          "to be clipped")
        return min(self.batch_size, n_samples)

    def _run_epochs(self, sequences, targets, weights, validation, *, epochs, incremental,
                    input_noise):
        n_samples = len(sequences)
        batch_size = self._batch_size(n_samples)
        if validation is not None:
            self._best_parameters = self.model_.state_dict()
        stopped = False
        try:
            for _ in range(epochs):
                started = time.perf_counter()
                epoch_loss = 0.0
                progress = (EpochProgress(self.n_iter_ + 1, n_samples) if self.verbose >= 2
                            else None)
                for batch in self._minibatches(n_samples, batch_size):
                    batch_weight = weights[batch].sum()
                    # A minibatch of zero-weight samples has no loss to descend
                    # (0/0): it is skipped, and the samples count as seen.
                    if batch_weight > 0:
                        inputs = sequences.take(batch)
                        if input_noise is not None:
                            inputs = input_noise(inputs)
                        try:
                            with self._turns():
                                loss = self._train_step(inputs, targets[batch], weights[batch])
                        except InterruptedAfterStep:
                            self.t_ += len(batch)  # the step landed before Ctrl-C
                            raise
                        epoch_loss += loss * batch_weight
                    self.t_ += len(batch)
                    if progress is not None:
                        progress.update(len(batch), epoch_loss, batch_weight)
                if progress is not None:
                    progress.close()
                self.n_iter_ += 1
                self.loss_ = epoch_loss / weights.sum()
                self.loss_curve_.append(self.loss_)
                if validation is not None:
                    self.validation_scores_.append(self._validation_score(*validation))
                if self.verbose:
                    self._report_epoch(time.perf_counter() - started, validation is not None)
                stopped = (self._track_best_loss() if incremental else
                           self._update_no_improvement(
                               0 if validation is None else len(validation[0])))
                if stopped:
                    break
        except KeyboardInterrupt:
            # Every update lands whole (see _optim.py): the weights are those of
            # the last completed step.
            warnings.warn("Training interrupted by user.")
            stopped = True
        except Diverged as fault:
            warnings.warn(f"Training diverged in epoch {self.n_iter_ + 1}: {fault}. The "
                          "weights of the last finite step are kept; a smaller "
                          "learning_rate_init or max_grad_norm, or standardized inputs "
                          "(SequenceScaler), usually help.", ConvergenceWarning)
            stopped = True
        if validation is not None:
            self.model_.assign_state(self._best_parameters)
            del self._best_parameters
        if not stopped and not incremental and self.n_iter_ >= self.max_iter:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                          "and the optimization hasn't converged yet.", ConvergenceWarning)

    def _minibatches(self, n_samples, batch_size):
        """The sample indices of each minibatch of one epoch, in training order."""
        order = (self._random_state.permutation(n_samples) if self.shuffle
                 else np.arange(n_samples))
        if self.batch_size == "auto" and self._auto_batches_near_equal:
            # As few minibatches as hold batch_size sequences each, of near-equal
            # sizes: the last one is never a small remainder (36 series are 18 + 18,
            # not 32 + 4), whose noisy gradient Adam would scale up to a full step
            # and whose L2 term (alpha per unit of weight in the batch) would be 8x
            # that of a full one. See docs/guide/defaults.md for the measurements.
            yield from np.array_split(order, -(-n_samples // batch_size))
            return
        for first in range(0, n_samples, batch_size):
            yield order[first:first + batch_size]

    def _forward_backward(self, batch, targets, weights):
        """The loss of one minibatch; leaves its gradients in the model."""
        outputs = self.model_.forward(batch, training=True, bptt_steps=self.bptt_steps,
                                      seed=int(self._random_state.randint(2**31)))
        loss, d_outputs = self._loss(outputs, targets, weights)
        self.model_.backward(d_outputs)
        return loss

    def _train_step(self, batch, targets, weights):
        model = self.model_
        loss = self._forward_backward(batch, targets, weights)
        if self.alpha > 0:
            # L2 on the weights (not biases) as scikit-learn's MLP: alpha/2 |W|^2 per
            # unit of sample weight in the minibatch (weights are relative here,
            # see _relative_weights).
            scale = self._penalty_per_unit_weight / weights.sum()
            loss += 0.5 * scale * add_weight_decay(model.parameters, model.gradients,
                                                   model.decay_masks, scale, model.networks)
        if not np.isfinite(loss):
            raise Diverged(f"the loss of a minibatch is {loss}")
        clip_by_global_norm(model.gradients, self.max_grad_norm, model.networks)
        self._optimizer.step(model.parameters, model.gradients, model.networks)
        return loss

    def _track_best_loss(self):
        """After an epoch of partial_fit, only best_loss_ is kept up to date: it
        neither cuts the rate nor stops. Each call reads other data (the chunks
        of a stream), whose losses tell no plateau: on a stationary stream the
        'adaptive' rule cut the rate six times in 135 calls, to 3e-7, and the
        model then no longer followed a change of the stream. False: never stop."""
        self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])
        return False

    def _update_no_improvement(self, n_validation):
        """Scikit-learn MLP's stopping rule, on the validation score of
        ``n_validation`` held-out sequences (0: on the training loss); True when
        training should stop."""
        validating = n_validation > 0
        if validating:
            score = self.validation_scores_[-1]
            improved = score >= self.best_validation_score_ + self.tol
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_parameters = self.model_.state_dict()
        else:
            improved = self.loss_curve_[-1] <= self.best_loss_ - self.tol
        self._track_best_loss()
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1
        patience = self._patience(n_validation)
        if self._no_improvement_count <= patience:
            return False
        measure = "Validation score" if validating else "Training loss"
        optimizer = self._optimizer
        if self.learning_rate == "adaptive" and optimizer.learning_rate > _SMALLEST_RATE:
            # MLP's 'adaptive' rule, for every solver.
            optimizer.learning_rate /= 5.0
            self._no_improvement_count = 0
            if self.verbose:
                print(f"{measure} did not improve more than tol={self.tol} for "
                      f"{patience} consecutive epochs. Setting learning rate "
                      f"to {optimizer.learning_rate:f}")
            return False
        if self.verbose:
            print(f"{measure} did not improve more than tol={self.tol} for "
                  f"{patience} consecutive epochs. Stopping.")
        return True

    def _patience(self, n_validation):
        """Epochs without progress before the rate is cut or training stops,
        watching ``n_validation`` held-out sequences (0: the training loss)."""
        if self.n_iter_no_change != "auto":
            return self.n_iter_no_change
        return (VALIDATED_PATIENCE if n_validation >= _STEADY_VALIDATION_SIZE
                else NOISY_PATIENCE)

    def _turns(self):
        """The lock that makes training steps and predictions take turns on the
        model: a step's forward keeps a tape that its backward reads, and its
        update must land whole before anyone reads the weights. Not pickled."""
        return self.__dict__.setdefault("_turns_lock", threading.RLock())

    def _report_epoch(self, seconds, validating):
        line = f"Epoch {self.n_iter_}: loss {self.loss_:.5f}"
        if validating:
            line += f", validation score {self.validation_scores_[-1]:.5f}"
        print(f"{line}, {seconds:.2f} s", flush=True)

    # ------------------------------------------------------------ inference --

    def _outputs(self, sequences):
        """Head outputs of the model for validated sequences; with bptt_steps,
        long sequences are read window by window in bounded memory."""
        # The fitted window (absent from estimators pickled before it was kept).
        window = getattr(self, "_structure", {}).get("bptt_steps", self.bptt_steps)
        windowed = window if self.model_.directions == 1 else None
        return self.model_.forward(sequences, bptt_steps=windowed)

    def _inference_chunks(self, X):
        """The validated sequences of any accepted X, in padded chunks of at most
        _PREDICT_CHUNK, with the model on the estimator's device and threads
        (call it, and run the model, within ``self._turns()``)."""
        check_is_fitted(self, "model_")
        sequences = self._validate_sequences(X, reset=False)
        self.model_.n_threads = self._check_n_threads()
        if self.model_.to_device(check_device(self.device)):
            # The moved blocks start with fresh optimizer moments.
            self.__dict__.pop("_optimizer", None)
        # Read chunk by chunk, so that the standardized and patched copies hold
        # one chunk at a time, never all of X.
        scaling = getattr(self, "_input_scaling", None)
        patch_length = getattr(self, "patch_length_", 1)
        floor = getattr(self, "_sequence_floor", None)
        constant_inputs = getattr(self, "_constant_inputs", 0)
        chunks = [_as_read(sequences.take(np.arange(i, min(i + _PREDICT_CHUNK, len(sequences)))),
                           scaling, patch_length, floor, constant_inputs,
                           dtype=self.model_.dtype)
                  for i in range(0, len(sequences), _PREDICT_CHUNK)]
        _refuse_overflowed(chunks, sequences)
        return chunks

    def _forward(self, X):
        """Head outputs (n_samples, n_outputs) in float64 for any accepted X."""
        with self._turns():
            inputs = self._inference_chunks(X)
            chunks = [self._outputs(chunk) for chunk in inputs]
        outputs = np.concatenate(chunks).astype(np.float64)
        if not np.all(np.isfinite(outputs)):
            raise not_finite_error()
        return outputs

    # ------------------------------------------------------------- weights --

    def state_dict(self):
        """Copies of all weights, named as the equivalent PyTorch module's
        ``state_dict`` (see :func:`rnnsk.to_torch`)."""
        check_is_fitted(self, "model_")
        with self._turns():
            state = self._export_head(self.model_.state_dict())
        scaling = self._first_layer_statistics()
        return state if scaling is None else fold(state, scaling)

    def load_state_dict(self, state_dict):
        """Set all weights from ``state_dict`` (numpy arrays or torch tensors,
        names as :meth:`state_dict`). The estimator must be fitted (or
        ``partial_fit``) first so that its shapes are known; nothing changes if a
        name or shape does not match."""
        check_is_fitted(self, "model_")
        check_parameter_mapping(state_dict)
        # Checked as given, then again in the model's precision once the head is
        # converted back (in float64: see RecurrentRegressor._export_head) and
        # the input standardization unfolded from the first layer.
        given = self.model_.checked_state({name: _to_numpy(value)
                                           for name, value in state_dict.items()},
                                          dtype=np.float64)
        scaling = self._first_layer_statistics()
        if scaling is not None:
            given = unfold(given, scaling)
        arrays = self.model_.checked_state(self._import_head(given))
        with self._turns():
            self.model_.assign_state(arrays)
        return self

    def _export_head(self, state):
        return state

    def _import_head(self, state):
        return state

    def __getstate__(self):
        # A copy: object.__getstate__ gives the live __dict__, and the lock
        # taken from it would be gone from the estimator being pickled too,
        # while a thread may hold it.
        state = without_fit_lock(super().__getstate__())
        state.pop("_turns_lock", None)
        state["_rnnsk_version"] = __version__
        state["_rnnsk_pickle_format"] = PICKLE_FORMAT
        return state

    def __setstate__(self, state):
        found = state.get("_rnnsk_pickle_format")
        if found != PICKLE_FORMAT:
            saved_by = state.get("_rnnsk_version", "an unknown version")
            raise ValueError(
                f"this {type(self).__name__} was pickled by rnnsk {saved_by} (pickle format "
                f"{found!r}); rnnsk {__version__} reads format {PICKLE_FORMAT}. Load it with "
                "the version that saved it, or refit it.")
        state.setdefault("device", "cpu")  # saved before the parameter existed
        # Saved before these parameters existed: the settings it was built with.
        for name, value in _SETTINGS_BEFORE_DEFAULTS.items():
            state.setdefault(name, value)
        if "patch_length" in self._get_param_names():
            state.setdefault("patch_length", 1)  # every step was read
        if "input_noise" in self._get_param_names():
            state.setdefault("input_noise", 0.0)  # trained on clean inputs
        if "sequence_standardize" in self._get_param_names():
            state.setdefault("sequence_standardize", False)  # read the inputs alone
        if "label_smoothing" in self._get_param_names():
            state.setdefault("label_smoothing", 0.0)  # trained on the plain cross-entropy
        if "bidirectional" in self._get_param_names() and "model_" in state:
            # fitted before the attribute: the network says
            state.setdefault("bidirectional_", getattr(state["model_"], "directions", 1) == 2)
        super().__setstate__(state)
        self._turns()


def _relative_weights(sample_weights, class_weights):
    """Per-sample weights of the loss as (relative, unit): the product of sample
    and class weights is ``relative * unit``, with the largest relative weight 1.

    The loss is a weighted mean, which only ratios affect; computing it on
    relative weights keeps sums of huge weights from overflowing and tiny ones
    from underflowing. Only the L2 penalty (per unit of weight) reads ``unit``,
    which may be 0 or inf for extreme weights.
    """
    class_weights = np.broadcast_to(np.asarray(class_weights, dtype=np.float64),
                                    sample_weights.shape)
    sample_unit, class_unit = sample_weights.max(), class_weights.max()
    weights = sample_weights / sample_unit
    if class_unit > 0:  # else every sample's class weighs nothing
        weights = weights * (class_weights / class_unit)
    if class_unit <= 0 or not weights.any():
        raise ValueError("sample_weight and class_weight together give every sample weight "
                         "zero: no sample would be learned from")
    largest = weights.max()
    # (Python floats: their product may overflow to inf or underflow to 0 quietly.)
    return weights / largest, float(sample_unit) * float(class_unit) * float(largest)


def _refuse_nan_given(given, name="X"):
    """NaN or infinity in the inputs as validated (Sequences), which only
    scikit-learn's assume_finite=True lets through: the error names them (the
    standardized values would be called an overflow, a fit would train on NaN)."""
    if (get_config()["assume_finite"] and given.data.dtype.kind == "f"
            and not np.all(np.isfinite(given.data))):
        raise ValueError(f"Input {name} contains NaN or infinity (scikit-learn's "
                         "assume_finite=True skipped the check that says so)")


def _refuse_overflowed(read, given, name="X"):
    """Raise for inputs as read (Sequences, or a list of chunks of them) that
    are not finite once standardized: gates saturate on infinity, so the
    network would return finite outputs from them. ``given`` are the
    Sequences as validated (see _refuse_nan_given)."""
    chunks = read if isinstance(read, list) else [read]
    if chunks[0].data.dtype.kind != "f" or all(np.all(np.isfinite(chunk.data))
                                               for chunk in chunks):
        return
    _refuse_nan_given(given, name)
    raise FloatingPointError(
        f"{name} overflows once standardized by the statistics of the training inputs "
        "(standardize, sequence_standardize): its values are too far from those seen in "
        f"fit; use data of the training scale, or refit on data like {name}")


def not_finite_error():
    """The error for network outputs that are not finite from finite inputs
    (_refuse_overflowed has checked them): the recurrent layers overflowed."""
    return FloatingPointError(
        "the network's outputs are not finite: the recurrent layers overflowed (typically "
        "rnn_relu with large inputs or weights); standardize the inputs (SequenceScaler) or "
        "refit with a smaller learning_rate_init")


def _as_read(sequences, scaling, patch_length, floor=None, constant_inputs=0, *, dtype=None):
    """``sequences`` as a network reads them: beside their own sequence
    statistics (when ``floor`` is not None: see _sequence_features), standardized
    by ``scaling`` (when not None), in patches of ``patch_length`` steps that
    read the last ``constant_inputs`` inputs once, real values in ``dtype``
    (None: the sequences' own). Every stage computes in the sequences'
    precision; the result alone is rounded to ``dtype``.

    Every stage works on each sequence alone, so they run chunk by chunk of
    sequences into one array: the same values, without a whole-data copy
    between stages (those copies took most of a prediction's time)."""
    if dtype is None or sequences.data.dtype.kind != "f":  # token ids stay ids
        dtype = sequences.data.dtype
    if floor is None and scaling is None:
        read = patched(sequences, patch_length, constant_inputs)
        return Sequences(read.data.astype(dtype, copy=False), read.lengths, read.is_table)
    read = None
    for chunk in sequence_chunks(sequences):
        part = sequences.take_rows(chunk)
        if floor is not None:
            part = with_sequence_features(part, floor)
        if scaling is not None:  # (rounded to dtype once standardized)
            part = standardized(part, scaling, dtype)
        part = patched(part, patch_length, constant_inputs)
        if read is None:
            read = np.empty((len(sequences), *part.data.shape[1:]), dtype)
        with np.errstate(over="ignore"):  # (_refuse_overflowed names what overflows)
            read[chunk] = part.data
    return Sequences(read, -(-sequences.lengths // patch_length), sequences.is_table)


def _to_numpy(value):
    if hasattr(value, "detach"):  # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    return np.asarray(value)
