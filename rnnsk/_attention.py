"""Global attention of a decoder over an encoder's outputs (HEADS.md,
"Encoder–decoder with attention").

For decoder outputs d (B, N, H_d) and encoder outputs e (B, S, D_e) of true
source lengths M:

- scores (B, N, S): Luong's ``general`` score d · (W_a e), or Bahdanau's
  additive score v · tanh(W_d d + W_e e + b), both from the decoder's *current*
  output, so a whole teacher-forced target is scored in one pass;
- weights a: softmax over the real source steps s < M_b (masked, max-subtracted);
- context c = Σ_s a[s] e[s]; attentional state tanh(W_c [c; d]) (Luong 2015,
  eq. 5).

Everything is a batched matrix product over (t, s); nothing loops over steps.
Each object keeps what its backward needs when called with ``training=True``.
"""
import numpy as np

from ._heads import Linear


def masked_softmax(scores, lengths):
    """Softmax over the last axis of ``scores`` (B, N, S) restricted to the
    first ``lengths[b]`` entries; the others get weight 0."""
    valid = (np.arange(scores.shape[-1]) < lengths[:, None])[:, None, :]
    scores = np.where(valid, scores, -np.inf)
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return scores / scores.sum(axis=-1, keepdims=True)


class TapeNotPickled:
    """Leaves what the last training step kept for its backward (``_tape``,
    not worth saving) out of pickles and copies, without clearing it on the
    live object: another thread's training step may still run its backward."""

    def __getstate__(self):
        return {**self.__dict__, "_tape": None}


class LuongScore(TapeNotPickled):
    """score = d · (W_a e): ``attention.key`` is W_a (H_d x D_e), no bias."""

    def __init__(self, decoder_size, encoder_size, rng, dtype):
        self.key = Linear("attention.key", encoder_size, decoder_size, rng, dtype, bias=False)
        self.layers = [self.key]
        self._tape = None

    def keys(self, encoder_outputs):
        """What the score needs of the encoder outputs, computed once per source."""
        return self.key.forward(encoder_outputs)

    def forward(self, d, e, keys, training=False):
        if training:
            self._tape = (d, e, keys)
        return d @ keys.transpose(0, 2, 1)

    def backward(self, d_scores):
        """Gradients of d and e given those of the scores (zero where masked)."""
        d, e, keys = self._tape
        d_d = d_scores @ keys
        d_keys = d_scores.transpose(0, 2, 1) @ d
        return d_d, self.key.backward(e, d_keys)


class BahdanauScore(TapeNotPickled):
    """score = v · tanh(W_d d + W_e e + b): ``attention.query`` is W_d (A x H_d,
    no bias), ``attention.key`` W_e (A x D_e) with bias b, ``attention.energy``
    v (1 x A, no bias); A = H_d."""

    def __init__(self, decoder_size, encoder_size, rng, dtype):
        size = decoder_size
        self.query = Linear("attention.query", decoder_size, size, rng, dtype, bias=False)
        self.key = Linear("attention.key", encoder_size, size, rng, dtype)
        self.energy = Linear("attention.energy", size, 1, rng, dtype, bias=False)
        self.layers = [self.query, self.key, self.energy]
        self._tape = None

    def keys(self, encoder_outputs):
        return self.key.forward(encoder_outputs)

    def forward(self, d, e, keys, training=False):
        hidden = np.tanh(self.query.forward(d)[:, :, None, :] + keys[:, None, :, :])
        if training:
            self._tape = (d, e, hidden)
        return hidden @ self.energy.weight[0]

    def backward(self, d_scores):
        d, e, hidden = self._tape
        d_hidden = self.energy.backward(hidden, d_scores[..., None])
        d_sum = d_hidden * (1 - hidden * hidden)
        d_d = self.query.backward(d, d_sum.sum(axis=2))
        d_e = self.key.backward(e, d_sum.sum(axis=1))
        return d_d, d_e


SCORES = {"luong": LuongScore, "bahdanau": BahdanauScore}


class GlobalAttention(TapeNotPickled):
    """Scores, masked softmax, context and attentional state; ``combine`` is
    W_c (H_d x (D_e + H_d), no bias), its input the context then the decoder
    output."""

    def __init__(self, kind, decoder_size, encoder_size, rng, dtype):
        self.kind = kind
        self.score = SCORES[kind](decoder_size, encoder_size, rng, dtype)
        self.combine = Linear("combine", encoder_size + decoder_size, decoder_size, rng, dtype,
                              bias=False)
        self.layers = self.score.layers + [self.combine]
        self._tape = None

    def keys(self, encoder_outputs):
        return self.score.keys(encoder_outputs)

    def forward(self, d, e, lengths, keys=None, training=False):
        """Attentional states (B, N, H_d) and attention weights (B, N, S) of
        decoder outputs ``d`` over encoder outputs ``e`` of ``lengths`` real
        steps; ``keys`` (from :meth:`keys`) spares recomputing them per step
        when decoding."""
        if keys is None:
            keys = self.keys(e)
        weights = masked_softmax(self.score.forward(d, e, keys, training), lengths)
        joined = np.concatenate([weights @ e, d], axis=-1)
        attentional = np.tanh(self.combine.forward(joined))
        if training:
            self._tape = (e, weights, joined, attentional)
        return attentional, weights

    def backward(self, d_attentional):
        """Gradients of the decoder outputs and encoder outputs; parameter
        gradients are written on the way."""
        e, weights, joined, attentional = self._tape
        d_joined = self.combine.backward(joined, d_attentional * (1 - attentional * attentional))
        d_context, d_d = np.split(d_joined, [e.shape[-1]], axis=-1)
        d_weights = d_context @ e.transpose(0, 2, 1)
        d_e = weights.transpose(0, 2, 1) @ d_context
        # Softmax backward; masked steps have weight 0, hence gradient 0.
        d_scores = weights * (d_weights - np.sum(d_weights * weights, axis=-1, keepdims=True))
        d_d_score, d_e_score = self.score.backward(d_scores)
        return d_d + d_d_score, d_e + d_e_score
