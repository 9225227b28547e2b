"""Conversion of a fitted estimator to the same model in PyTorch.

torch is optional: it is imported only when a conversion is asked for. The
module built here has exactly the parameter names of ``estimator.state_dict()``,
so weights move both ways with ``state_dict``/``load_state_dict``.
"""
import numpy as np

from ._network import fitted_model_of

_TORCH_CELLS = {"rnn_tanh": ("RNN", {"nonlinearity": "tanh"}),
                "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
                "lstm": ("LSTM", {}),
                "gru": ("GRU", {})}


def _import_torch():
    try:
        import torch
    except ImportError as error:
        raise ImportError("to_torch needs PyTorch, which rnnsk does not install: "
                          "pip install torch") from error
    return torch


def to_torch(estimator):
    """The fitted ``estimator`` as a ``torch.nn.Module`` computing the same outputs.

    The module's ``forward(X, lengths=None)`` takes a padded batch-first tensor
    (float features, or int64 token ids with an embedding) and the length of each
    sequence, and returns the head's outputs: class logits (softmax gives
    ``predict_proba``) or regression predictions in the units of ``y``. A
    float32 regressor's head (into which the target's mean and scale are folded)
    is in float64, as in its ``state_dict``, so its outputs are float64 and
    reproduce ``predict`` up to float32 rounding of the standardized outputs.
    An estimator that reads patches (``patch_length_`` > 1) gives a module
    that takes the sequences step by step, as ``predict`` does, and makes the
    patches itself; one that reads its sequences' own statistics
    (``sequence_standardize``) computes them. With ``bptt_steps`` the module
    reads whole sequences where ``predict`` gives the head the last window: the
    two agree with ``readout='last'`` only. The module comes in evaluation
    mode (``module.eval()``: no dropout, as ``predict``); call
    ``module.train()`` to train it further.

    Taggers and per-step regressors give one such output per step, shape
    (batch, steps, n_outputs). A tagger with ``crf=True`` returns the CRF's
    emission scores; its ``crf`` submodule holds ``transitions``, ``start``
    and ``end`` (-inf where forbidden) and decodes them:
    ``module.crf.viterbi(scores, lengths)`` gives ``predict`` (as indices
    into ``classes_``), ``module.crf.marginals(scores, lengths)`` gives
    ``predict_proba``. A tagger on string tokens takes what its
    ``token_ids(X)`` returns: the ids of every step's token (of its
    ``vocabulary_``, 0 for any other), of its pairs with its neighbours (with
    ``token_bigrams``) and of its characters (with a character encoder, which
    the module computes as the estimator does).

    An :class:`~rnnsk.EncoderDecoder` gives a module whose ``forward(sources,
    source_lengths, decoder_inputs, target_lengths)`` returns the teacher-forced
    scores of every target token, ``loss(...)`` the training loss and
    ``greedy(sources, source_lengths, max_length)`` the outputs of ``predict``
    with ``beam_width=1``, as id lists (ids as in the user guide, Seq2seq).

    Examples
    --------
    >>> module = to_torch(LSTMClassifier().fit(X, y))           # doctest: +SKIP
    >>> clf.load_state_dict(module.state_dict())                # and back
    """
    model = fitted_model_of(estimator, "to_torch")
    torch = _import_torch()
    state = estimator.state_dict()
    if hasattr(model, "torch_module"):
        return model.torch_module(torch).eval()
    module = _build_module(torch, model, model.directions == 2, estimator.dropout,
                           getattr(estimator, "patch_length_", 1),
                           getattr(estimator, "_sequence_floor", None),
                           getattr(estimator, "_constant_inputs", 0))
    # In the estimator's precision before the weights are copied in.
    module.to(torch.float64 if model.dtype == np.float64 else torch.float32)
    # A float32 regressor's head comes in float64 (the target's scale is folded
    # into it): the head then computes in float64, on converted inputs.
    head_names = [name for name in state if name.split(".")[0] in module.head_layers]
    if any(state[name].dtype == np.float64 for name in head_names):
        module.head_dtype = torch.float64
        for name in module.head_layers:
            getattr(module, name).double()
    module.load_state_dict({name: torch.from_numpy(np.ascontiguousarray(value))
                            for name, value in state.items()})
    if getattr(model.head, "ties_embedding", False):
        # One parameter, as in the estimator (Press & Wolf 2017).
        module.head.weight = module.embedding.weight
    return module.eval()


def _patched(torch, X, lengths, patch_length, constant_inputs):
    """(X, lengths) in patches of ``patch_length`` steps, as rnnsk's
    ``_patches.patched`` makes them (the last patch repeats the last step; the
    last ``constant_inputs`` features come once, after the patch's steps)."""
    n, steps, n_features = X.shape
    patched_steps = -(-steps // patch_length)
    last = (lengths.clamp(min=1) - 1).to(X.device)
    positions = torch.minimum(torch.arange(patched_steps * patch_length, device=X.device),
                              last[:, None])
    data = torch.gather(X, 1, positions[:, :, None].expand(-1, -1, n_features))
    data = data.reshape(n, patched_steps, patch_length, n_features)
    varying = n_features - constant_inputs
    flat = data[:, :, :, :varying].reshape(n, patched_steps, patch_length * varying)
    if constant_inputs:
        flat = torch.cat([flat, data[:, :, 0, varying:]], dim=2)
    return flat, torch.div(lengths + patch_length - 1, patch_length, rounding_mode="floor")


def _with_sequence_features(torch, X, lengths, floor):
    """X beside its sequences' own statistics, as rnnsk's
    ``_sequence_features.with_sequence_features`` computes them (in float64):
    [x, (x - m) / s, m, log(max(s, floor))] per step, over the real steps."""
    lengths = torch.as_tensor(lengths).to(X.device)
    mask = (torch.arange(X.shape[1], device=X.device)[None, :] < lengths[:, None])[:, :, None]
    values = X.double()
    counts = lengths.double()[:, None]
    mean = torch.where(mask, values, 0.0).sum(dim=1) / counts
    deviations = torch.where(mask, values - mean[:, None, :], 0.0)
    std = torch.sqrt(deviations.square().sum(dim=1) / counts)
    z_scores = torch.where(std[:, None, :] > 0,
                           deviations / torch.where(std > 0, std, 1.0)[:, None, :], 0.0)
    log_std = torch.log(torch.maximum(std, torch.as_tensor(floor, device=X.device)))
    steps = X.shape[1]
    return torch.cat([X, z_scores.to(X.dtype), mean[:, None, :].expand(-1, steps, -1).to(X.dtype),
                      log_std[:, None, :].expand(-1, steps, -1).to(X.dtype)], dim=2)


def _build_module(torch, model, bidirectional, dropout, patch_length, sequence_floor,
                  constant_inputs):
    nn = torch.nn

    def recurrent(block):
        kind, options = _TORCH_CELLS[block.cell]
        return getattr(nn, kind)(block.input_size, block.hidden_size, block.num_layers,
                                 batch_first=True, bidirectional=bidirectional,
                                 dropout=dropout if block.num_layers > 1 else 0.0, **options)

    class RecurrentModule(nn.Module):
        """Embedding (optional) -> recurrent layers -> the estimator's head."""

        def __init__(self):
            super().__init__()
            if model.embedding is not None:
                self.embedding = nn.Embedding(*model.embedding.shape)
            self.char_layers = []
            if model.char_encoder is not None:
                char_layers = model.char_encoder.torch_layers(torch)
                for name, layer in char_layers.items():
                    self.add_module(name, layer)
                self.char_layers = list(char_layers)
            layers = [recurrent(block) for block in model.blocks]
            self.rnn = layers[0] if len(layers) == 1 else nn.ModuleList(layers)
            self.between_layers = nn.Dropout(dropout)
            # The head's layers sit at the top level, under their state_dict names.
            head_layers = model.head.torch_layers(torch)
            for name, layer in head_layers.items():
                self.add_module(name, layer)
            self.head_layers = list(head_layers)
            self.head_dtype = None  # None: the recurrent layers' dtype
            self.directions = 2 if bidirectional else 1
            self.patch_length = patch_length
            self.sequence_floor = sequence_floor
            self.constant_inputs = constant_inputs

        def forward(self, X, lengths=None):
            if lengths is None:
                lengths = torch.full((X.shape[0],), X.shape[1], dtype=torch.int64)
            if self.sequence_floor is not None:
                X = _with_sequence_features(torch, X, lengths, self.sequence_floor)
            if self.patch_length > 1:
                X, lengths = _patched(torch, X, torch.as_tensor(lengths), self.patch_length,
                                      self.constant_inputs)
            x = self._input_vectors(X) if hasattr(self, "embedding") else X
            layers = [self.rnn] if isinstance(self.rnn, nn.RNNBase) else list(self.rnn)
            for i, layer in enumerate(layers):
                packed = nn.utils.rnn.pack_padded_sequence(
                    x, torch.as_tensor(lengths).cpu(), batch_first=True, enforce_sorted=False)
                output, state = layer(packed)
                x, _ = nn.utils.rnn.pad_packed_sequence(output, batch_first=True,
                                                        total_length=X.shape[1])
                if i + 1 < len(layers):
                    x = self.between_layers(x)
            h_n = state[0] if isinstance(state, tuple) else state
            final = torch.cat(list(h_n[-self.directions:]), dim=1)
            if self.head_dtype is not None:
                x, final = x.to(self.head_dtype), final.to(self.head_dtype)
            layers = {name: getattr(self, name) for name in self.head_layers}
            return model.head.torch_forward(layers, x, final, torch.as_tensor(lengths))

        def _input_vectors(self, X):
            """The embeddings of every step's ids (and its characters' vector)."""
            channels = model.token_channels
            ids = X[..., None] if X.dim() == 2 else X[..., :channels]
            x = self.embedding(ids).flatten(2)
            if not self.char_layers:
                return x
            layers = {name: getattr(self, name) for name in self.char_layers}
            return torch.cat([x, model.char_encoder.torch_forward(layers, X[..., channels:])],
                             dim=2)

    return RecurrentModule()
