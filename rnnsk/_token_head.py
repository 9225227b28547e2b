"""The head of a language model or a decoder: scores of every vocabulary token
at every step, from the top layer's outputs.

``s[b, t] = W o[b, t] + bias`` (HEADS.md's per-step head), with two options
that word-level language models use:

- dropout on ``o`` while training (Zaremba et al. 2014 drop the top layer's
  outputs before the decoder, as between layers);
- ``W`` tied to the input embedding (Press & Wolf 2017): one (V, E) matrix both
  reads tokens and scores them, so the top layer's size must equal the
  embedding size E (no projection D -> E is inserted; the estimator checks the
  sizes). The head then owns only the bias; the model adds ``tied_gradient``
  to the embedding's gradient.
"""
import numpy as np

from ._heads import StepHead


class TokenHead(StepHead):
    """Per-step vocabulary scores (a :class:`StepHead`), optionally tied to the
    embedding and with dropout on its inputs while training."""

    def __init__(self, n_features, n_tokens, rng, dtype, *, dropout=0.0, tied=False):
        super().__init__(n_features, n_tokens, rng, dtype)
        self.dropout = dropout
        self.ties_embedding = tied
        if tied:
            self.linear.weight = None  # the embedding's, given by tie()
        self._rng = np.random.default_rng(rng.randint(2**31))

    def tie(self, embedding):
        if embedding.shape != self.linear.d_weight.shape:
            raise ValueError(f"tied weights need the embedding size "
                             f"{embedding.shape[1]} to equal the top layer's size "
                             f"{self.linear.d_weight.shape[1]}")
        self.linear.weight = embedding

    @property
    def tied_gradient(self):
        """The gradient of the scoring use of the tied matrix (add it to the
        embedding's)."""
        return self.linear.d_weight

    @property
    def parameters(self):
        if self.ties_embedding:
            return {"head.bias": self.linear.bias}
        return super().parameters

    @property
    def gradients(self):
        if self.ties_embedding:
            return {"head.bias": self.linear.d_bias}
        return super().gradients

    @property
    def decayed(self):
        return set() if self.ties_embedding else super().decayed

    def forward(self, top, training):
        if training and self.dropout > 0:
            keep = self._rng.random(top.outputs.shape, dtype=np.float32) >= self.dropout
            self._mask = keep
            top = top._replace(outputs=top.outputs * (keep.astype(top.outputs.dtype)
                                                      / (1 - self.dropout)))
        return super().forward(top, training)

    def scores(self, outputs):
        """Scores (..., n_tokens) of top-layer outputs (..., n_features), in
        inference."""
        return self.linear.forward(outputs)

    def backward(self, d_scores):
        """``d_scores`` must be zero at padded steps (as the losses make it)."""
        d_outputs, _ = super().backward(d_scores)
        if self.dropout > 0:
            d_outputs *= self._mask / (1 - self.dropout)
        return d_outputs, None
