"""The network behind every estimator: an optional embedding, recurrent layers
(C++ core) and a head (``_heads.py``) that gives the estimator's outputs.

Layers of the same size form one core network (one C++ call for all of them);
a change of size starts a new one, with dropout between them applied here.
Nothing in this file loops over time steps.
"""
from itertools import groupby

import numpy as np

from ._heads import TopLayer
from ._init import initialize_orthogonal
from ._network import RecurrentNetwork
from ._sparse import SparseRows
from ._validation import Sequences

# The random stream of embedding dropout, apart from those of the blocks
# ([seed, block]).
_EMBEDDING_DROPOUT_STREAM = 2**32 - 1


def word_dropout_scale(ids, rate, seed, dtype):
    """For every position of ``ids``: 0 where its word is dropped in this
    minibatch (each distinct id with probability ``rate``, drawn from the
    minibatch's ``seed``), ``1 / (1 - rate)`` elsewhere: AWD-LSTM's embedding
    dropout, one decision per word, not per occurrence."""
    words, position_word = np.unique(ids, return_inverse=True)
    rng = np.random.default_rng([seed, _EMBEDDING_DROPOUT_STREAM])
    kept = rng.random(len(words)) >= rate
    scale = kept.astype(dtype) / np.dtype(dtype).type(1 - rate)
    return scale[position_word.reshape(ids.shape)]


class SequenceModel:
    """Parameters, forward and backward for one minibatch of padded sequences.

    ``parameters`` and ``gradients`` are aligned lists of arrays that optimizers
    update in place; the embedding's gradient is a :class:`SparseRows` of the
    rows the minibatch used. ``decay_masks`` holds 1 where L2 regularization
    applies (weights) and 0 where it does not (biases), as in scikit-learn's
    MLP, and None for the embedding, which has none (see ``_optim.py``).
    ``make_head(n_features, rng)`` builds the head on the top block's outputs
    of ``n_features`` values per step; a head with ``ties_embedding`` set uses
    the embedding matrix as its weight (``tie(embedding)``), whose gradient then
    sums both uses (dense: the tied matrix scores every token). ``embedding_dropout``
    is the probability of dropping a word while training (see :meth:`run_blocks`).
    ``init`` names the recurrent layers' initialisation scheme (see ``_init.py``).

    ``make_char_encoder(rng)``, with an embedding, adds to every token's vector
    one built from its characters (``_char_encoder.CharCNN``); the data are then
    (n, T, 1 + C) ids: the token's id, then its characters' ids. With
    ``token_channels`` K > 1, every step has K ids looked up in the embedding
    (e.g. the token's and its bigram's), whose vectors are concatenated; the
    data are then (n, T, K + C).
    """

    # (Models pickled before these options existed have neither.)
    char_encoder = None
    token_channels = 1

    def __init__(self, *, cell, n_features, hidden_sizes, bidirectional, dropout, make_head,
                 vocabulary_size, embedding_dim, dtype, random_state, n_threads,
                 device="cpu", init="pytorch", make_char_encoder=None, embedding_dropout=0.0,
                 token_channels=1):
        self.dtype = np.dtype(dtype)
        self.dropout = dropout
        self.embedding_dropout = embedding_dropout
        self.directions = 2 if bidirectional else 1
        rng = random_state
        self.embedding = None
        if embedding_dim is not None:
            # PyTorch's nn.Embedding draws from N(0, 1).
            self.embedding = rng.standard_normal((vocabulary_size, embedding_dim)).astype(dtype)
            self.token_channels = token_channels
            n_features = token_channels * embedding_dim
        self.char_encoder = None
        if make_char_encoder is not None:
            self.char_encoder = make_char_encoder(rng)
            n_features += self.char_encoder.n_features
        self.blocks = []
        for size, run in groupby(hidden_sizes):
            block = RecurrentNetwork(cell, n_features, size, num_layers=len(list(run)),
                                     bidirectional=bidirectional, dropout=dropout, dtype=dtype,
                                     random_state=rng, n_threads=n_threads, device=device)
            if init == "orthogonal":
                initialize_orthogonal(block, rng)
            self.blocks.append(block)
            n_features = self.directions * size
        self.head = make_head(n_features, rng)
        if getattr(self.head, "ties_embedding", False):
            self.head.tie(self.embedding)

        self._embedding_gradient = (None if self.embedding is None
                                    else SparseRows.empty(self.embedding.shape, dtype))
        self.decay_masks = [np.full(value.shape, name in self.head.decayed, dtype)
                            for name, value in self.head.parameters.items()]
        self.decay_masks[:0] = [np.full(value.shape, name in self.char_encoder.decayed, dtype)
                                for name, value in self._char_parameters().items()]
        if self.embedding is not None:
            self.decay_masks.insert(0, None)
        self._tape = None

    def _char_parameters(self):
        return {} if self.char_encoder is None else self.char_encoder.parameters

    # The host arrays, which the optimizer steps through the core's formulas
    # (src/host_optimizer.hpp); the recurrent blocks (``networks``) own theirs
    # in the core. Lists made afresh from the arrays'
    # owners, so that they stay right after pickling.
    @property
    def parameters(self):
        arrays = list(self._char_parameters().values())
        arrays += list(self.head.parameters.values())
        return arrays if self.embedding is None else [self.embedding] + arrays

    @property
    def gradients(self):
        arrays = [] if self.char_encoder is None else list(self.char_encoder.gradients.values())
        arrays += list(self.head.gradients.values())
        return arrays if self.embedding is None else [self._embedding_gradient] + arrays

    @property
    def networks(self):
        return self.blocks

    def _block_prefixes(self):
        if len(self.blocks) == 1:
            return ["rnn."]
        return [f"rnn.{i}." for i in range(len(self.blocks))]

    @property
    def n_threads(self):
        return self.blocks[0].n_threads

    @n_threads.setter
    def n_threads(self, value):
        for block in self.blocks:
            block.n_threads = value

    @property
    def device(self):
        """Where the recurrent blocks are (canonical form)."""
        return self.blocks[0].device

    def to_device(self, device):
        """Move the recurrent blocks to ``device`` (canonical form); True when
        they moved. Nothing changes if one of them cannot."""
        if device == self.device:
            return False
        self.blocks = [block.to_device(device) for block in self.blocks]
        return True

    def forward(self, sequences, *, training=False, seed=0, bptt_steps=None):
        """Scores of the head for a padded batch: (n_samples, n_outputs) for a
        head on whole sequences, (n_samples, n_steps, n_outputs) per step.

        With ``bptt_steps``, sequences are read in windows of that many steps,
        the state carried from one to the next, so memory stays bounded whatever
        their length; the head sees the last window only, and training
        backpropagates through it alone (truncated BPTT). Only for
        unidirectional networks.
        """
        initial = None
        if bptt_steps is not None and sequences.data.shape[1] > bptt_steps:
            # Everything before each sequence's last window runs without a tape.
            last_window = np.minimum(sequences.lengths, bptt_steps)
            initial = self._carry_state(sequences, sequences.lengths - last_window, bptt_steps)
            sequences = _window(sequences, sequences.lengths - last_window, last_window)
        top, _ = self.run_blocks(sequences, initial, training=training, seed=seed,
                                 top_outputs=self.head.reads_outputs)
        return self.head.forward(top, training)

    def _carry_state(self, sequences, ends, window):
        """Every block's final states after reading steps [0, ends[i]) of each
        sequence, window by window (zeros where ends[i] is 0)."""
        batch = len(sequences)
        states = [[np.zeros((block.num_layers * self.directions, batch, block.hidden_size),
                            self.dtype) for _ in range(2 if block.cell == "lstm" else 1)]
                  for block in self.blocks]
        for start in range(0, int(ends.max(initial=0)), window):
            lengths = np.clip(ends - start, 0, window)
            reading = np.flatnonzero(lengths > 0)
            chunk = _window(sequences.take_rows(reading), np.full(len(reading), start),
                            lengths[reading])
            initial = [[state[:, reading] for state in block] for block in states]
            _, finals = self.run_blocks(chunk, initial)
            for block_states, block_finals in zip(states, finals):
                for state, final in zip(block_states, block_finals):
                    state[:, reading] = final
        return states

    def run_blocks(self, sequences, initial=None, *, training=False, seed=0,
                   top_outputs=True):
        """The embedding and recurrent blocks over a padded batch.

        Returns the :class:`TopLayer` a head reads (its per-step ``outputs``
        only with ``top_outputs``) and every block's final states ([h_n] or
        [h_n, c_n]), starting from ``initial`` (same structure) or zeros. With
        ``training``, keeps what :meth:`backward` needs.

        Embedding dropout drops whole words, as AWD-LSTM's (Merity et al.,
        2018; Gal and Ghahramani, 2016): each distinct token id of the
        minibatch is dropped with probability ``embedding_dropout`` (its vector
        is zero at every step where it occurs) and kept ones are scaled by
        ``1 / (1 - embedding_dropout)``. With a character encoder, only the
        word's embedding is dropped, not the vector built from its characters.
        """
        lengths = sequences.lengths
        x = self._input_vectors(sequences, training)
        word_scale = None
        if self.embedding is not None and training and self.embedding_dropout > 0:
            word_scale = self._word_scale(self._token_ids(sequences), seed)
            x[..., :word_scale.shape[-1] * self.embedding.shape[1]] *= np.repeat(
                word_scale, self.embedding.shape[1], axis=-1)
        masks, finals = [], []
        for i, block in enumerate(self.blocks):
            h0, c0 = (initial[i] + [None])[:2] if initial is not None else (None, None)
            last = i + 1 == len(self.blocks)
            out, h_n, c_n = block.forward(x, lengths, h0, c0, training=training,
                                          dropout_seed=(seed + i) % 2**63,
                                          return_output=top_outputs or not last)
            finals.append([h_n] if c_n is None else [h_n, c_n])
            x = out
            if training and self.dropout > 0 and not last:
                keep = np.random.default_rng([seed, i]).random(out.shape) >= self.dropout
                masks.append(keep.astype(self.dtype) / (1 - self.dropout))
                x = out * masks[-1]
        # The last layer's final state in each direction (the reverse direction
        # ends at the first step).
        final = np.concatenate(list(h_n[-self.directions:]), axis=1)
        if training:
            self._tape = (sequences, masks, h_n.shape, word_scale)
        return TopLayer(x if top_outputs else None, final, lengths), finals

    def _word_scale(self, ids, seed):
        return word_dropout_scale(ids, self.embedding_dropout, seed, self.dtype)

    def _token_ids(self, sequences):
        """(n, T, K) embedding ids of the batch (without the characters' ids)."""
        data = sequences.data
        return data[..., None] if data.ndim == 2 else data[..., :self.token_channels]

    def _embedded(self, ids):
        """The concatenated embeddings (..., K * E) of ids (..., K)."""
        return self.embedding[ids].reshape(ids.shape[:-1] + (-1,))

    def _input_vectors(self, sequences, training):
        """What the first block reads: the features, or each token's embedding
        (and character-level vector)."""
        if self.embedding is None:
            return sequences.data
        words = self._embedded(self._token_ids(sequences))
        if self.char_encoder is None:
            return words
        real = np.arange(sequences.data.shape[1]) < sequences.lengths[:, None]
        chars = sequences.data[..., self.token_channels:][real]
        chars = chars[:, :max(1, int(np.count_nonzero(chars, axis=1).max()))]
        from_chars = np.zeros(words.shape[:2] + (self.char_encoder.n_features,), self.dtype)
        from_chars[real] = self.char_encoder.forward(chars, training)
        return np.concatenate([words, from_chars], axis=2)

    def backward(self, d_scores):
        """Gradients of every parameter, given those of the head's scores; needs
        a preceding ``forward(training=True)``."""
        sequences, masks, state_shape, word_scale = self._tape
        d_output, d_final = self.head.backward(d_scores)
        d_h_n = None
        if d_final is not None:
            d_h_n = np.zeros(state_shape, dtype=self.dtype)
            d_h_n[-self.directions:] = np.stack(np.split(d_final, self.directions, axis=1))
        for i in reversed(range(len(self.blocks))):
            # The inputs' gradient of the first block only feeds an embedding.
            wanted = i > 0 or self.embedding is not None
            d_x, _, _ = self.blocks[i].backward(d_output, d_h_n, input_gradient=wanted)
            d_h_n = None
            if i > 0:
                d_output = d_x * masks[i - 1] if masks else d_x
        if self.embedding is not None:
            real = np.arange(sequences.data.shape[1]) < sequences.lengths[:, None]
            d_real = d_x[real]
            width = self.embedding.shape[1]
            ids = self._token_ids(sequences)[real].reshape(-1)
            if self.char_encoder is not None:
                self.char_encoder.backward(d_real[:, len(ids) // len(d_real) * width:])
            # Only the rows looked up at real steps (not padding, not a dropped word).
            rows = d_real[:, :len(ids) // len(d_real) * width].reshape(len(ids), width)
            if word_scale is not None:
                scale = word_scale[real].reshape(-1)
                kept = scale > 0
                ids, rows = ids[kept], rows[kept] * scale[kept, None]
            gradient = SparseRows.from_rows(ids, rows, self.embedding.shape)
            if getattr(self.head, "ties_embedding", False):
                # The tied matrix also scores every token: its gradient is dense
                # and the optimizer updates the whole table.
                gradient = gradient.to_dense() + self.head.tied_gradient
            self._embedding_gradient = gradient

    def state_dict(self):
        """Copies of all parameters, named as in the equivalent PyTorch module
        (see ``rnnsk.to_torch``)."""
        state = {}
        if self.embedding is not None:
            state["embedding.weight"] = self.embedding.copy()
        state.update((name, value.copy()) for name, value in self._char_parameters().items())
        for block_prefix, block in zip(self._block_prefixes(), self.blocks):
            for name, value in block.parameters.items():
                state[block_prefix + name] = value.copy()
        state.update((name, value.copy()) for name, value in self.head.parameters.items())
        return state

    def checked_state(self, state, dtype=None):
        """``state`` (names of :meth:`state_dict`) as arrays of this model's dtype
        (or ``dtype``), once every name, shape and value is known to fit."""
        return checked_state(self.state_dict(), state, self.dtype if dtype is None else dtype)

    def assign_state(self, arrays):
        """Copy checked arrays (see :meth:`checked_state`) into the parameters."""
        if self.embedding is not None:
            self.embedding[...] = arrays["embedding.weight"]
        for name, value in {**self._char_parameters(), **self.head.parameters}.items():
            value[...] = arrays[name]
        for block_prefix, block in zip(self._block_prefixes(), self.blocks):
            block.load_parameters({name[len(block_prefix):]: value
                                   for name, value in arrays.items()
                                   if name.startswith(block_prefix)})


def _window(sequences, starts, lengths):
    """The steps [starts[i], starts[i] + lengths[i]) of each sequence, as a new
    padded batch."""
    steps = int(lengths.max())
    columns = np.minimum(starts[:, None] + np.arange(steps), sequences.data.shape[1] - 1)
    rows = np.arange(len(sequences))[:, None]
    return Sequences(np.ascontiguousarray(sequences.data[rows, columns]),
                     lengths.astype(np.int64), sequences.is_table)


def checked_state(expected, state, dtype):
    """``state`` (name -> array) as arrays of ``dtype`` once every name, shape
    and value is known to fit the model whose state_dict is ``expected``."""
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ValueError(f"state_dict names do not match this model: missing {missing}, "
                         f"unexpected {unexpected}")
    arrays = {}
    for name, reference in expected.items():
        given = np.asarray(state[name])
        if given.dtype.kind == "c":  # never silently cut to its real part
            raise ValueError(f"Complex data not supported: {name} has complex values")
        array = np.asarray(given, dtype=dtype)
        if array.shape != reference.shape:
            raise ValueError(f"{name} has shape {array.shape}, this model needs "
                             f"{reference.shape}")
        if not np.all(np.isfinite(array)):
            if np.all(np.isfinite(given.astype(np.float64))):  # finite until cast
                raise ValueError(f"{name} has values beyond the range of {array.dtype} "
                                 f"(largest magnitude {np.abs(given).max():.3g})")
            raise ValueError(f"{name} contains NaN or infinity")
        arrays[name] = array
    return arrays
