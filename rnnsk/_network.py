"""A stack of recurrent layers computed by the C++ core: the functional face of rnnsk.

`RecurrentNetwork` holds the parameters of a stacked, optionally bidirectional RNN,
LSTM or GRU in one flat array, exposes them as a dict named and shaped exactly like a
PyTorch ``state_dict``, and runs forward passes and backpropagation through time over
batches of variable-length sequences. The estimators build on it; it is also usable on
its own, e.g. to check the core against PyTorch.
"""

import numbers
from contextlib import contextmanager
import threading
import warnings

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import ThreadpoolController

from rnnsk import _device
from rnnsk._built import check_core_is_built
from rnnsk._input_scaling import fold
from rnnsk._device import check_device
from rnnsk._memory import check_fits_in_memory, check_parameters_fit
from rnnsk._threads import capped_n_threads
from rnnsk._validation import check_int, check_parameter_mapping



def _import_core():
    """Import the C++ core, saying why when it is missing (a source tree?)."""
    try:
        from rnnsk import _core
    except ImportError:
        check_core_is_built()
        raise
    return _core


_core = _import_core()


CELLS = {"rnn_tanh": 0, "rnn_relu": 1, "lstm": 2, "gru": 3}


def gate_count(cell):
    """Gate blocks of a ``cell``'s weights (G: they have G * hidden_size rows),
    as the core counts them."""
    return _core.gate_count(CELLS[cell])


_blas_libraries = None


@contextmanager
def single_threaded_blas():
    """Context that keeps BLAS on the calling thread while the core runs.

    The core splits all its work among its own threads, each calling BLAS on
    its share; BLAS threads on top would compete with them for the same cores.
    The libraries' own get/set calls cost microseconds, where threadpoolctl's
    ``limit`` re-inspects every loaded library on each use.
    """
    global _blas_libraries
    if _blas_libraries is None:
        _blas_libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    previous = [library.get_num_threads() for library in _blas_libraries]
    for library, count in zip(_blas_libraries, previous):
        if count != 1:
            library.set_num_threads(1)
    try:
        yield
    finally:
        for library, count in zip(_blas_libraries, previous):
            if count != 1:
                library.set_num_threads(count)


# The core's sizes and indices are C ints.
_LARGEST_INDEX = 2**31 - 1


def _check_int(value, name, minimum):
    return check_int(value, name, minimum, _LARGEST_INDEX, "the core's index range")


def _as_float_array(array, name, dtype):
    """``array`` as a C-contiguous array of ``dtype``; only real numbers are accepted."""
    array = np.asarray(array)
    if array.dtype.kind not in "fiu":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=dtype)


class RecurrentNetwork:
    """Stacked, optionally bidirectional Elman RNN, LSTM or GRU over padded batches.

    Parameters
    ----------
    cell : {'rnn_tanh', 'rnn_relu', 'lstm', 'gru'}
        The recurrent cell. Gate order and formulas are PyTorch's (LSTM i, f, g, o;
        GRU r, z, n with the reset gate applied after the recurrent product).
    input_size : int
        Number of features of each time step.
    hidden_size : int
        Size of the hidden state of each direction.
    num_layers : int, default=1
        Number of stacked layers.
    bidirectional : bool, default=False
        Whether every layer also runs backwards in time; outputs are then the
        concatenation ``[forward, reverse]`` on the feature axis.
    dropout : float, default=0.0
        Dropout on the outputs of every layer but the last, in training only.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Precision of parameters and computation.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)),
        PyTorch's default.
    n_threads : int, default=1
        Threads the core (its kernels and BLAS) may use on the CPU; a call
        never runs on more threads than the cores this process may use (a larger
        value is kept, and capped at every call).
    device : {'cpu', 'cuda', 'cuda:N'}, default='cpu'
        Where parameters, gradients, optimizer state and computation live (the
        C++ core owns them on every device). A GPU needs rnnsk built with CUDA
        support; otherwise a RuntimeError says why.

    Attributes
    ----------
    flat_parameters : ndarray of shape (n_parameters,)
        All parameters. On the CPU, the core's own array (always the same
        one), which may be changed in place; on a GPU, a read-only host copy.
        Assigning an array (``net.flat_parameters = values``) copies it in on
        every device.
    flat_gradients : ndarray of shape (n_parameters,)
        Gradients written by :meth:`backward`, same layout and rules.
    parameters : dict of str to ndarray
        Views into ``flat_parameters`` named and shaped like
        ``torch.nn.LSTM(...).state_dict()`` (``weight_ih_l0``, ``bias_hh_l1_reverse``...);
        change them on any device with :meth:`load_parameters`.
    gradients : dict of str to ndarray
        Views into ``flat_gradients``, same names.
    """

    def __init__(self, cell, input_size, hidden_size, num_layers=1, bidirectional=False,
                 dropout=0.0, dtype=np.float32, random_state=None, n_threads=1, device="cpu"):
        self._configure(cell, input_size, hidden_size, num_layers, bidirectional, dropout,
                        dtype, n_threads, device)
        self._build()
        self.reset_parameters(random_state)

    def _configure(self, cell, input_size, hidden_size, num_layers, bidirectional, dropout,
                   dtype, n_threads, device):
        """Check and keep the configuration (of the constructor or a pickle)."""
        if not isinstance(cell, str) or cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.cell = cell
        self.input_size = _check_int(input_size, "input_size", 1)
        self.hidden_size = _check_int(hidden_size, "hidden_size", 1)
        self.num_layers = _check_int(num_layers, "num_layers", 1)
        self.bidirectional = bool(bidirectional)
        if not isinstance(dropout, numbers.Real) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
        self.dropout = float(dropout)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")
        self.n_threads = n_threads
        self.device = check_device(device)

    def _build(self, flat_parameters=None):
        # The C++ network keeps one workspace and one tape: calls from several
        # Python threads (the GIL is released inside) take turns. Re-entrant, so
        # that a thread holding it for a whole optimizer step (`transaction`)
        # can make the step's calls.
        self._lock = threading.RLock()
        config = (CELLS[self.cell], self.input_size, self.hidden_size, self.num_layers,
                  self.bidirectional)
        self._layout = _core.layout(*config)
        check_parameters_fit(sum(int(np.prod(shape)) for _, _, shape in self._layout),
                             self.dtype, f"a {self.cell} network of input_size="
                             f"{self.input_size}, hidden_size={self.hidden_size} and "
                             f"num_layers={self.num_layers}")
        self._core = _device.make_core(*config, self.dropout, self.dtype, self.device)
        if flat_parameters is not None:
            shape = (self._core.parameter_size,)
            if flat_parameters.shape != shape or flat_parameters.dtype.kind not in "fiu":
                raise ValueError(f"the pickled network's parameters are an array of shape "
                                 f"{flat_parameters.shape} and dtype {flat_parameters.dtype}; "
                                 f"its configuration needs numbers of shape {shape}")
            self.flat_parameters = flat_parameters

    @property
    def flat_parameters(self):
        with self._lock:
            return self._host_view("_parameter_view", self._core.parameters)

    @flat_parameters.setter
    def flat_parameters(self, values):
        # (In-place operators, net.flat_parameters *= 0.5, assign the array back.)
        with self._lock:
            self._core.set_parameters(self._flat(values, "flat_parameters"))

    @property
    def flat_gradients(self):
        with self._lock:
            return self._host_view("_gradient_view", self._core.gradients)

    def _host_view(self, name, read):
        # On the CPU the core's arrays are views of its memory, kept here so that
        # they are always the same arrays (views of views stay valid). Kept here,
        # not in the core: a core holding a view of itself is a cycle through an
        # ndarray, which the garbage collector does not see. A device's copies
        # are made anew on each read.
        view = self.__dict__.get(name)
        if view is None or view.base is not self._core:
            view = read()
            if view.base is self._core:
                self.__dict__[name] = view
        return view

    @flat_gradients.setter
    def flat_gradients(self, values):
        with self._lock:
            self._core.set_gradients(self._flat(values, "flat_gradients"))

    def _flat(self, values, name):
        values = _as_float_array(values, name, self.dtype)
        if values.shape != (self._core.parameter_size,):
            raise ValueError(f"{name} must have shape ({self._core.parameter_size},), "
                             f"got {values.shape}")
        return values

    @property
    def parameters(self):
        return self._views(self.flat_parameters)

    @property
    def gradients(self):
        return self._views(self.flat_gradients)

    def _views(self, flat):
        return {
            name: flat[offset:offset + int(np.prod(shape))].reshape(shape)
            for name, offset, shape in self._layout
        }

    @property
    def num_directions(self):
        return 2 if self.bidirectional else 1

    @property
    def gate_count(self):
        return gate_count(self.cell)

    @property
    def n_threads(self):
        return self._n_threads

    @n_threads.setter
    def n_threads(self, value):
        self._n_threads = _check_int(value, "n_threads", 1)

    def reset_parameters(self, random_state=None):
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        rng = check_random_state(random_state)
        bound = 1.0 / np.sqrt(self.hidden_size)
        self.flat_parameters = rng.uniform(-bound, bound, self._core.parameter_size)

    @classmethod
    def from_estimator(cls, estimator, block=None):
        """The recurrent layers of a fitted rnnsk estimator, as a new network
        (a copy: changing one leaves the other as it is).

        An estimator whose layers all have one size holds them as one network;
        with a tuple of different ``hidden_size`` values each run of equal sizes
        is one, and ``block`` (0, 1, ...) chooses it. Its inputs are the
        estimator's features, or the embedding vectors with ``embedding_dim``;
        with ``patch_length_`` k > 1, each step's input is a patch of k steps'
        features side by side (``patch_length_ * n_features_in_`` values: for
        sequences of a length that k divides, ``X.reshape(n, T // k, k * F)``).
        An estimator with ``sequence_standardize`` reads four inputs per
        feature, [x, (x - m) / s, m, log(max(s, floor))] with each sequence's
        mean m and standard deviation s (floor: 0.001 times the feature's
        standard deviation at fit), and so does this network; in patches, the
        first two of each step, then m and log s once (``2 * k * F + 2 * F``
        values; estimators fitted by earlier versions read all four at every step
        of a patch, ``4 * k * F``).
        """
        model = fitted_model_of(estimator, "RecurrentNetwork.from_estimator")
        if not hasattr(model, "blocks"):
            raise TypeError(f"RecurrentNetwork.from_estimator takes the layers of a classifier, "
                            f"regressor, tagger or language model; a {type(estimator).__name__} "
                            "holds an encoder, a decoder and attention: export it with "
                            "to_torch or state_dict")
        blocks = model.blocks
        if block is None:
            if len(blocks) > 1:
                sizes = [b.hidden_size for b in blocks]
                raise ValueError(f"this {type(estimator).__name__} holds its layers as "
                                 f"{len(blocks)} networks of hidden sizes {sizes}: choose one "
                                 f"with block=0..{len(blocks) - 1}")
            block = 0
        if isinstance(block, bool) or not isinstance(block, numbers.Integral) or not (
                0 <= block < len(blocks)):
            raise ValueError(f"block must be an integer in [0, {len(blocks)}), got {block!r}")
        source = blocks[block]
        network = cls.__new__(cls)
        network._restore({**source._configuration_state(),
                          "flat_parameters": np.array(source.flat_parameters)})
        scaling = estimator._first_layer_statistics()
        if block == 0 and scaling is not None:
            # The estimator standardizes its inputs: the first layer reads them raw.
            network.load_parameters(fold(network.parameters, scaling, prefix=""))
        return network

    def load_parameters(self, mapping):
        """Copy every parameter from ``mapping`` (name -> array), e.g. a converted
        PyTorch ``state_dict``. Names and shapes must match exactly. An rnnsk
        estimator's ``state_dict`` (or its ``to_torch`` module's) is accepted too:
        its ``rnn.`` entries are read, the others (head, embedding) ignored."""
        mapping = _recurrent_entries(check_parameter_mapping(mapping, "mapping"))
        # (From the layout: each self.parameters copies every weight out of the core.)
        shapes = {name: tuple(shape) for name, _, shape in self._layout}
        missing = [name for name in shapes if name not in mapping]
        unexpected = [name for name in mapping if name not in shapes]
        if missing or unexpected:
            raise ValueError(f"parameter names do not match: missing {missing}, "
                             f"unexpected {unexpected}")
        arrays = {name: _as_float_array(mapping[name], name, self.dtype) for name in mapping}
        for name, array in arrays.items():
            if array.shape != shapes[name]:
                raise ValueError(f"{name} has shape {array.shape}, expected {shapes[name]}")
        flat = np.array(self.flat_parameters, dtype=self.dtype)
        views = self._views(flat)
        for name, array in arrays.items():
            views[name][...] = array
        self.flat_parameters = flat

    def _state_shape(self, batch):
        return (self.num_layers * self.num_directions, batch, self.hidden_size)

    def _optional(self, array, name):
        return None if array is None else _as_float_array(array, name, self.dtype)

    def _lengths(self, lengths, batch, steps):
        if lengths is None:
            return np.full(batch, steps, dtype=np.int64)
        lengths = np.asarray(lengths)
        if lengths.dtype.kind not in "iu":
            raise TypeError(f"lengths must be integers, got dtype {lengths.dtype}")
        if lengths.shape != (batch,):
            raise ValueError(f"lengths must have shape ({batch},), one per sequence, "
                             f"got {lengths.shape}")
        if batch and (lengths.min() < 1 or lengths.max() > steps):
            raise ValueError(f"lengths must be in [1, {steps}] (the number of time steps), "
                             f"got values from {lengths.min()} to {lengths.max()}")
        return np.ascontiguousarray(lengths, dtype=np.int64)

    def forward(self, X, lengths=None, h0=None, c0=None, training=False, dropout_seed=0,
                return_output=True):
        """Run the network over a padded batch.

        Parameters
        ----------
        X : array-like of shape (batch, steps, input_size)
        lengths : array-like of int of shape (batch,), default=None
            Valid steps of each sequence, in [1, steps]; None means all ``steps``.
            Steps beyond a sequence's length are never read.
        h0, c0 : array-like of shape (num_layers * num_directions, batch, hidden_size)
            Initial hidden (and, for LSTM, cell) states; None means zeros.
        training : bool, default=False
            Keep what backward needs and apply dropout between layers.
        dropout_seed : int, default=0
            Fixes the dropout masks, whatever the thread count.
        return_output : bool, default=True
            With False, ``output`` is None and the last layer's states are not
            copied out to the caller (a model reading only ``h_n`` saves that copy
            of batch x steps x hidden values); backward works the same.

        Returns
        -------
        output : ndarray of shape (batch, steps, num_directions * hidden_size), or None
            Hidden states of the last layer at every step, zero at padded steps
            (None with ``return_output=False``).
        h_n : ndarray of shape (num_layers * num_directions, batch, hidden_size)
            Final hidden states, each after its sequence's own last step.
        c_n : ndarray of the same shape, or None
            Final cell states (LSTM only).
        """
        X = _as_float_array(X, "X", self.dtype)
        if X.ndim != 3:
            raise ValueError(f"X must be 3-D (batch, steps, features), got {X.ndim}-D")
        batch, steps, features = X.shape
        if features != self.input_size:
            raise ValueError(f"X has {features} features per step, the network expects "
                             f"{self.input_size}")
        lengths = self._lengths(lengths, batch, steps)
        check_fits_in_memory(self, batch, steps, int(lengths.sum()), training=training)
        if c0 is not None and self.cell != "lstm":
            raise ValueError(f"c0 is only used by the LSTM cell, this network is {self.cell!r}")
        h0 = self._optional(h0, "h0")
        c0 = self._optional(c0, "c0")
        if not isinstance(dropout_seed, numbers.Integral) or dropout_seed < 0:
            raise ValueError(f"dropout_seed must be a non-negative integer, got {dropout_seed!r}")
        output = (np.empty((batch, steps, self.num_directions * self.hidden_size), self.dtype)
                  if return_output else None)
        state = self._state_shape(batch)
        h_n = np.empty(state, self.dtype)
        c_n = np.empty(state, self.dtype) if self.cell == "lstm" else None
        seed = int(dropout_seed) % 2**64
        with self._lock, single_threaded_blas():
            self._core.forward(X, lengths, h0, c0, bool(training), seed,
                               capped_n_threads(self.n_threads), output, h_n, c_n)
            self._taped_shape = (batch, steps) if training else None
        return output, h_n, c_n

    def backward(self, d_output=None, d_h_n=None, d_c_n=None, accumulate=False,
                 input_gradient=True):
        """Backpropagate through the last ``forward(training=True)``.

        Takes the gradients of a scalar loss with respect to forward's ``output``,
        ``h_n`` and ``c_n`` (None means zero) and writes the gradients of every
        parameter into :attr:`flat_gradients` (adds to them with ``accumulate``).
        With ``input_gradient=False`` the gradient of X is neither computed nor
        returned (as for a PyTorch input without ``requires_grad``).

        Returns
        -------
        d_X : ndarray of shape (batch, steps, input_size), or None
            Zero at padded steps; None with ``input_gradient=False``.
        d_h0 : ndarray of shape (num_layers * num_directions, batch, hidden_size)
        d_c0 : ndarray of the same shape, or None (LSTM only)
        """
        shape = getattr(self, "_taped_shape", None)
        if shape is None:
            raise RuntimeError("backward needs a preceding forward with training=True")
        batch, steps = shape
        d_output = self._optional(d_output, "d_output")
        d_h_n = self._optional(d_h_n, "d_h_n")
        if d_c_n is not None and self.cell != "lstm":
            raise ValueError(f"d_c_n is only used by the LSTM cell, this network is {self.cell!r}")
        d_c_n = self._optional(d_c_n, "d_c_n")
        state = self._state_shape(batch)
        d_X = np.empty((batch, steps, self.input_size), self.dtype) if input_gradient else None
        d_h0 = np.empty(state, self.dtype)
        d_c0 = np.empty(state, self.dtype) if self.cell == "lstm" else None
        with self._lock, single_threaded_blas():
            self._core.backward(d_output, d_h_n, d_c_n, bool(accumulate),
                                capped_n_threads(self.n_threads), d_X, d_h0, d_c0)
        return d_X, d_h0, d_c0

    # The optimizer's side of a training step (see rnnsk/_optim.py): the core
    # computes it, on the parameters and optimizer state it owns.

    @contextmanager
    def transaction(self):
        """Hold this network for the calling thread until the block ends, so
        that a step proposed and committed inside lands whole: other threads'
        calls on the network (another step, a write of the parameters) wait.
        The optimizers of ``rnnsk._optim`` hold it around every step; hold it
        when calling ``propose_*`` and ``commit`` from several threads."""
        with self._lock:
            yield self

    def reset_optimizer_state(self):
        with self._lock:
            self._core.reset_optimizer_state()

    def gradient_sum_of_squares(self):
        with self._lock:
            return float(self._core.gradient_sum_of_squares())

    def scale_gradients(self, factor):
        with self._lock:
            self._core.scale_gradients(float(factor))

    def add_weight_decay(self, scale):
        """Adds ``scale * W`` to the weight matrices' gradients (not the biases');
        returns ``|W|^2``."""
        with self._lock:
            return float(self._core.add_weight_decay(float(scale)))

    def propose_adam(self, rate, beta_1, beta_2, epsilon):
        """Compute an Adam step aside; True when every new parameter is finite."""
        with self._lock:
            return self._core.propose_adam(rate, beta_1, beta_2, epsilon)

    def propose_sgd(self, learning_rate, momentum, nesterov):
        """Compute an SGD step aside; True when every new parameter is finite."""
        with self._lock:
            return self._core.propose_sgd(learning_rate, momentum, nesterov)

    def commit(self):
        """Make the proposed step current."""
        with self._lock:
            self._core.commit()

    def _configuration_state(self):
        """Configuration and parameters: what a copy of this network needs."""
        return {
            "config": dict(cell=self.cell, input_size=self.input_size,
                           hidden_size=self.hidden_size, num_layers=self.num_layers,
                           bidirectional=self.bidirectional, dropout=self.dropout,
                           dtype=self.dtype.str),
            "flat_parameters": np.array(self.flat_parameters),
            "n_threads": self.n_threads,
            "device": self.device,
        }

    def __getstate__(self):
        state = self._configuration_state()
        # The optimizer's moments are the core's: a pickled model trains on
        # where it stopped. (A network never trained has none to keep.)
        moments = self._core.optimizer_state()
        if any(moment.any() for moment in moments):
            state["optimizer_state"] = list(moments)
        return state

    def __setstate__(self, state):
        try:
            self._restore(state)
        except RuntimeError as unusable:
            if state.get("device", "cpu") == "cpu":
                raise
            # A model trained on a GPU stays usable where there is none.
            warnings.warn(f"this network was saved on device {state['device']!r}, which is "
                          f"not usable here ({unusable}); it is loaded on the CPU (for an "
                          "estimator, set_params(device='cpu') to use it there)",
                          RuntimeWarning, stacklevel=2)
            self._restore(dict(state, device="cpu"))

    def _restore(self, state):
        expected = {"cell", "input_size", "hidden_size", "num_layers", "bidirectional",
                    "dropout", "dtype"}
        config = state.get("config") if isinstance(state, dict) else None
        if (not isinstance(config, dict) or set(config) != expected
                or "flat_parameters" not in state or "n_threads" not in state):
            raise ValueError("this is not the state of a pickled RecurrentNetwork (a damaged "
                             "or tampered file?): it needs 'config' with the entries "
                             f"{sorted(expected)}, 'flat_parameters' and 'n_threads'")
        try:
            self._configure(**config, n_threads=state["n_threads"],
                            device=state.get("device", "cpu"))
        except (TypeError, ValueError) as invalid:
            raise ValueError(f"the pickled network's configuration is invalid: "
                             f"{invalid}") from None
        self._build(np.asarray(state["flat_parameters"]))
        if "optimizer_state" in state:
            # (A network pickled without them starts with zero moments.)
            self._core.set_optimizer_state(*(np.asarray(moment, self.dtype)
                                             for moment in state["optimizer_state"]))

    def to_device(self, device):
        """This network (parameters and configuration; not the tape or optimizer
        state) on ``device``: itself when it is already there, else a copy."""
        device = check_device(device)
        if device == self.device:
            return self
        moved = RecurrentNetwork.__new__(RecurrentNetwork)
        moved._restore(dict(self._configuration_state(), device=device))
        return moved

    def __repr__(self):
        return (f"RecurrentNetwork(cell={self.cell!r}, input_size={self.input_size}, "
                f"hidden_size={self.hidden_size}, num_layers={self.num_layers}, "
                f"bidirectional={self.bidirectional}, dropout={self.dropout}, "
                f"dtype={self.dtype.name}, device={self.device!r})")


def _recurrent_entries(mapping):
    """``mapping`` without the ``rnn.`` prefix of an estimator's state_dict (its
    other entries dropped); any other mapping as it is."""
    prefixed = [name for name in mapping if name.startswith("rnn.")]
    if not prefixed:
        return mapping
    blocks = sorted({name.split(".")[1] for name in prefixed if name.split(".")[1].isdigit()})
    if blocks:
        raise ValueError(f"this state_dict holds {len(blocks)} recurrent networks (rnn.0., "
                         "rnn.1., ...: layers of different sizes); use "
                         "RecurrentNetwork.from_estimator(estimator, block=i), or pass the "
                         "entries of one with their prefix removed")
    return {name[len("rnn."):]: mapping[name] for name in prefixed}


def fitted_model_of(estimator, caller):
    """The fitted stack of recurrent layers of an rnnsk estimator (its
    ``model_``), or an error naming what ``caller`` takes instead of the
    attribute error of an estimator that has none."""
    if not hasattr(estimator, "model_"):
        check_is_fitted(estimator)  # an unfitted estimator: scikit-learn's message
        where = ("; a RecurrentForecaster's networks are its regressor_ (estimators_[k]"
                 ".regressor_ in an ensemble)" if hasattr(estimator, "estimators_") else "")
        raise TypeError(f"{caller} takes a fitted rnnsk estimator with a recurrent model "
                        f"(model_), got {type(estimator).__name__}, which has none{where}")
    return estimator.model_
