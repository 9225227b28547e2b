"""The network of the encoder–decoder (HEADS.md, "Encoder–decoder with
attention"): source embedding -> encoder blocks (C++ core) -> bridge ->
decoder blocks over the shifted target (C++ core) -> global attention ->
output layer over the target vocabulary.

It presents the interface of :class:`~rnnsk._model.SequenceModel` that the
training loop of ``_base.py`` uses (aligned host ``parameters``/``gradients``
lists, ``networks``, ``decay_masks``, ``backward``, state_dict methods), with a
``forward`` that also takes the decoder's input tokens (teacher forcing), and
the two pieces decoding needs (:meth:`start`, :meth:`step`), and its PyTorch
counterpart for ``rnnsk.to_torch`` (:meth:`torch_module`).

Bridge: when the encoder is bidirectional its final states per layer (forward
and reverse halves concatenated, 2H values) go through a linear layer
``bridge`` (and ``bridge_cell`` for the LSTM's cell states) to the decoder's H;
a unidirectional encoder's final states are the decoder's initial states as
they are.
"""
from typing import NamedTuple

import numpy as np

from ._attention import GlobalAttention, TapeNotPickled
from ._heads import Linear
from ._incremental import IncrementalState
from ._model import checked_state, word_dropout_scale
from ._network import RecurrentNetwork
from ._sparse import write_row_sums
from ._seq2seq_torch import encoder_decoder_module

# Target ids with a fixed meaning: the decoder's first input, and the token
# that ends an output.
START, END = 0, 1


class DecoderState(NamedTuple):
    """What decoding carries from one token to the next, for a batch of rows:
    the encoder outputs (and attention keys computed from them once), the
    source lengths and the decoder's recurrent states, advanced by the shared
    incremental step (one core call per token for the whole batch)."""
    encoder_outputs: np.ndarray
    keys: np.ndarray
    lengths: np.ndarray
    recurrent: IncrementalState

    def take(self, rows):
        """The state of the given rows (repeats allowed: beams). The recurrent
        states move to the result: this state is not to be used after."""
        return DecoderState(self.encoder_outputs[rows],
                            None if self.keys is None else self.keys[rows],
                            self.lengths[rows], self.recurrent.select(rows))


class EncoderDecoderModel(TapeNotPickled):
    """Parameters, teacher-forced forward/backward and decoding steps."""

    def __init__(self, *, cell, source_vocabulary_size, target_vocabulary_size, hidden_size,
                 num_layers, bidirectional, dropout, source_embedding_dim,
                 target_embedding_dim, attention, dtype, random_state, n_threads):
        rng = random_state
        self.dtype = dtype = np.dtype(dtype)
        self.directions = 2 if bidirectional else 1
        # PyTorch's nn.Embedding draws from N(0, 1).
        self.encoder_embedding = rng.standard_normal(
            (source_vocabulary_size, source_embedding_dim)).astype(dtype)
        self.encoder = RecurrentNetwork(cell, source_embedding_dim, hidden_size, num_layers,
                                        bidirectional=bidirectional, dropout=dropout,
                                        dtype=dtype, random_state=rng, n_threads=n_threads)
        self.decoder_embedding = rng.standard_normal(
            (target_vocabulary_size, target_embedding_dim)).astype(dtype)
        self.decoder = RecurrentNetwork(cell, target_embedding_dim, hidden_size, num_layers,
                                        dropout=dropout, dtype=dtype, random_state=rng,
                                        n_threads=n_threads)
        encoder_size = self.directions * hidden_size
        self.bridges = []
        if bidirectional:
            names = ["bridge", "bridge_cell"] if cell == "lstm" else ["bridge"]
            self.bridges = [Linear(name, encoder_size, hidden_size, rng, dtype)
                            for name in names]
        self.attention = (None if attention is None else
                          GlobalAttention(attention, hidden_size, encoder_size, rng, dtype))
        self.output = Linear("output", hidden_size, target_vocabulary_size, rng, dtype)
        self._layers = (self.bridges + ([] if attention is None else self.attention.layers)
                        + [self.output])
        self._embedding_gradients = [np.zeros_like(self.encoder_embedding),
                                     np.zeros_like(self.decoder_embedding)]
        self.decay_masks = [np.ones_like(self.encoder_embedding),
                            np.ones_like(self.decoder_embedding)]
        # Set by the estimator before each fit (its embedding_dropout): the
        # share of distinct source tokens a training minibatch reads as zeros.
        self.embedding_dropout = 0.0
        self.decay_masks += [np.full(value.shape, name.endswith(".weight"), dtype)
                             for layer in self._layers
                             for name, value in layer.parameters.items()]
        self._tape = None

    # Lists made afresh from the arrays' owners, so that they stay right after
    # pickling, which rebuilds the core networks.
    @property
    def parameters(self):
        return [self.encoder_embedding, self.decoder_embedding] + [
            value for layer in self._layers for value in layer.parameters.values()]

    @property
    def gradients(self):
        d_source, d_target = self._embedding_gradients
        return [d_source, d_target] + [value for layer in self._layers
                                       for value in layer.gradients.values()]

    @property
    def networks(self):
        return [self.encoder, self.decoder]

    @property
    def n_threads(self):
        return self.encoder.n_threads

    @n_threads.setter
    def n_threads(self, value):
        self.encoder.n_threads = self.decoder.n_threads = value

    def to_device(self, device):
        if device != "cpu":
            raise ValueError(f"EncoderDecoder runs on the CPU only, not on {device!r}")
        return False

    # ------------------------------------------------------------- training --

    def _encode(self, sources, training, seed):
        """The encoder's outputs, the decoder's initial state, the encoder's
        final states, and the scale of each source position's embedding
        (embedding dropout while training; None when nothing is dropped)."""
        x = self.encoder_embedding[sources.data]
        word_scale = None
        if training and self.embedding_dropout > 0:
            word_scale = word_dropout_scale(sources.data, self.embedding_dropout, seed,
                                            self.dtype)
            x = x * word_scale[..., None]
        outputs, h_n, c_n = self.encoder.forward(x, sources.lengths, training=training,
                                                 dropout_seed=seed)
        finals = [h_n] if c_n is None else [h_n, c_n]
        initial = finals
        if self.bridges:
            initial = [bridge.forward(_side_by_side(final))
                       for bridge, final in zip(self.bridges, finals)]
        h0, c0 = (initial + [None])[:2]
        return outputs, h0, c0, finals, word_scale

    def forward(self, sources, decoder_inputs, decoder_lengths, *, training=False, seed=0,
                return_weights=False):
        """Scores (B, N, V) of every target token given the previous ones
        (teacher forcing): ``sources`` are padded source ids, ``decoder_inputs``
        (B, N) the start token then the target, ``decoder_lengths`` their real
        lengths. With ``return_weights``, also the attention weights (B, N, S)."""
        encoded, h0, c0, encoder_states, word_scale = self._encode(sources, training, seed)
        x = self.decoder_embedding[decoder_inputs]
        decoded, _, _ = self.decoder.forward(x, decoder_lengths, h0, c0, training=training,
                                             dropout_seed=(seed + 1) % 2**63)
        weights = None
        top = decoded
        if self.attention is not None:
            top, weights = self.attention.forward(decoded, encoded, sources.lengths,
                                                  training=training)
        scores = self.output.forward(top)
        if training:
            self._tape = (sources, decoder_inputs, decoder_lengths, top, encoder_states,
                          word_scale)
        return (scores, weights) if return_weights else scores

    def backward(self, d_scores):
        """Gradients of every parameter given those of the scores (zero at
        padded steps); needs a preceding ``forward(training=True)``."""
        sources, decoder_inputs, decoder_lengths, top, encoder_states, word_scale = self._tape
        d_top = self.output.backward(top, d_scores)
        d_encoded = None
        if self.attention is not None:
            d_top, d_encoded = self.attention.backward(d_top)
        d_x, d_h0, d_c0 = self.decoder.backward(d_top)
        d_states = [d_h0] if d_c0 is None else [d_h0, d_c0]
        if self.bridges:
            size = self.encoder.hidden_size
            d_finals = []
            for bridge, state, d_state in zip(self.bridges, encoder_states, d_states):
                d_joined = bridge.backward(_side_by_side(state), d_state)
                d_final = np.empty((2 * len(d_joined),) + d_joined.shape[1:-1] + (size,),
                                   self.dtype)
                d_final[0::2], d_final[1::2] = d_joined[..., :size], d_joined[..., size:]
                d_finals.append(d_final)
            d_states = d_finals
        d_h_n, d_c_n = (d_states + [None])[:2]
        d_source, _, _ = self.encoder.backward(d_encoded, d_h_n, d_c_n)
        if word_scale is not None:
            d_source = d_source * word_scale[..., None]
        d_embeddings = self._embedding_gradients
        for d_embedding, ids, lengths, d_rows in (
                (d_embeddings[0], sources.data, sources.lengths, d_source),
                (d_embeddings[1], decoder_inputs, decoder_lengths, d_x)):
            real = np.arange(ids.shape[1]) < lengths[:, None]
            write_row_sums(d_embedding, ids[real], d_rows[real])

    # ------------------------------------------------------------- decoding --

    def start(self, sources):
        """The decoding state of a batch of sources, before the first token."""
        encoded, h0, c0, _, _ = self._encode(sources, False, 0)
        keys = None if self.attention is None else self.attention.keys(encoded)
        recurrent = IncrementalState([self.decoder], [[h0] if c0 is None else [h0, c0]])
        return DecoderState(encoded, keys, sources.lengths, recurrent)

    def step(self, tokens, state):
        """Feed one token per row: returns the scores of the next token (B, V),
        the attention weights of this step (B, S) or None, and the state
        (advanced in place)."""
        output = state.recurrent.advance(self.decoder_embedding[tokens])
        weights = None
        if self.attention is not None:
            output, weights = self.attention.forward(output[:, None], state.encoder_outputs,
                                                     state.lengths, keys=state.keys)
            output, weights = output[:, 0], weights[:, 0]
        return self.output.forward(output), weights, state

    # ------------------------------------------------------------- weights --

    def state_dict(self):
        """Copies of all parameters, named as the torch reference module's."""
        state = {"encoder_embedding.weight": self.encoder_embedding.copy(),
                 "decoder_embedding.weight": self.decoder_embedding.copy()}
        for prefix, network in (("encoder.", self.encoder), ("decoder.", self.decoder)):
            state.update((prefix + name, value.copy())
                         for name, value in network.parameters.items())
        state.update((name, value.copy()) for layer in self._layers
                     for name, value in layer.parameters.items())
        return state

    def gradient_dict(self):
        """Copies of the gradients of the last backward, named as state_dict."""
        d_source, d_target = self._embedding_gradients
        gradients = {"encoder_embedding.weight": d_source.copy(),
                     "decoder_embedding.weight": d_target.copy()}
        for prefix, network in (("encoder.", self.encoder), ("decoder.", self.decoder)):
            gradients.update((prefix + name, value.copy())
                             for name, value in network.gradients.items())
        gradients.update((name, value.copy()) for layer in self._layers
                         for name, value in layer.gradients.items())
        return gradients

    def torch_module(self, torch):
        """The same model in PyTorch (``rnnsk.to_torch``), holding these weights."""
        module = encoder_decoder_module(
            torch, cell=self.encoder.cell, source_vocabulary=len(self.encoder_embedding),
            target_vocabulary=len(self.decoder_embedding), hidden_size=self.encoder.hidden_size,
            num_layers=self.encoder.num_layers, bidirectional=self.encoder.bidirectional,
            source_embedding_dim=self.encoder_embedding.shape[1],
            target_embedding_dim=self.decoder_embedding.shape[1],
            attention=None if self.attention is None else self.attention.kind,
            dropout=self.encoder.dropout)
        module.to(torch.float64 if self.dtype == np.float64 else torch.float32)
        module.load_state_dict({name: torch.from_numpy(value)
                                for name, value in self.state_dict().items()})
        return module

    def checked_state(self, state, dtype=None):
        return checked_state(self.state_dict(), state, self.dtype if dtype is None else dtype)

    def assign_state(self, arrays):
        """Copy checked arrays (see :meth:`checked_state`) into the parameters."""
        self.encoder_embedding[...] = arrays["encoder_embedding.weight"]
        self.decoder_embedding[...] = arrays["decoder_embedding.weight"]
        for layer in self._layers:
            for name, value in layer.parameters.items():
                value[...] = arrays[name]
        for prefix, network in (("encoder.", self.encoder), ("decoder.", self.decoder)):
            network.load_parameters({name[len(prefix):]: value for name, value in arrays.items()
                                     if name.startswith(prefix)})


def _side_by_side(final):
    """Per layer, the forward and reverse final states of a bidirectional
    network side by side: (2L, B, H) -> (L, B, 2H)."""
    return np.concatenate([final[0::2], final[1::2]], axis=-1)
