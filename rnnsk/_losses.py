"""Losses on the head's outputs: value and gradient, weighted by samples.

Every loss is a weighted mean over samples, sum_i w_i l_i / sum_i w_i, so a
sample of weight 2 counts as that sample twice.
"""
import numpy as np
from scipy.special import log_softmax


def _weighted_mean(per_sample, weights):
    return float(np.dot(per_sample, weights) / weights.sum())


def cross_entropy(logits, classes, weights, label_smoothing=0.0):
    """Softmax cross-entropy; ``classes`` are indices into the logits' columns.
    With ``label_smoothing`` e, each sample's target puts 1 - e on its class and
    e spread evenly over all K classes (Szegedy et al. 2016), as torch's
    ``CrossEntropyLoss(label_smoothing=e)``. Returns the loss and its gradient
    with respect to the logits."""
    log_p = log_softmax(logits.astype(np.float64), axis=1)
    rows = np.arange(len(classes))
    per_sample = -log_p[rows, classes]
    d_logits = np.exp(log_p)
    d_logits[rows, classes] -= 1.0 - label_smoothing
    if label_smoothing:
        per_sample = (1.0 - label_smoothing) * per_sample - label_smoothing * log_p.mean(axis=1)
        d_logits -= label_smoothing / logits.shape[1]
    d_logits *= (weights / weights.sum())[:, None]
    return _weighted_mean(per_sample, weights), d_logits.astype(logits.dtype)


def squared_error(outputs, targets, weights):
    """Half the mean squared error, as scikit-learn's MLPRegressor."""
    residuals = outputs.astype(np.float64) - targets
    loss = _weighted_mean(0.5 * np.mean(residuals ** 2, axis=1), weights)
    d_outputs = residuals * (weights / weights.sum())[:, None] / targets.shape[1]
    return loss, d_outputs.astype(outputs.dtype)


def huber(outputs, targets, weights, delta=1.0):
    """Huber loss: squared below ``delta``, linear above (on standardized targets)."""
    residuals = outputs.astype(np.float64) - targets
    small = np.abs(residuals) <= delta
    per_element = np.where(small, 0.5 * residuals ** 2, delta * (np.abs(residuals) - 0.5 * delta))
    loss = _weighted_mean(np.mean(per_element, axis=1), weights)
    d_outputs = np.where(small, residuals, delta * np.sign(residuals))
    d_outputs *= (weights / weights.sum())[:, None] / targets.shape[1]
    return loss, d_outputs.astype(outputs.dtype)


REGRESSION_LOSSES = {"squared_error": squared_error, "huber": huber}


class PaddedSteps:
    """Per-step targets of a batch of sequences: ``values`` padded to
    (n_samples, n_steps, ...) and the real ``lengths``. Indexing by samples
    keeps both aligned, so the training loop shuffles and splits them as it does
    one target per sequence."""

    def __init__(self, values, lengths):
        self.values = values
        self.lengths = np.asarray(lengths, dtype=np.int64)

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, samples):
        lengths = self.lengths[samples]
        # Each batch keeps only as many steps as its longest sequence, as the
        # padded inputs of the same samples do.
        steps = int(lengths.max(initial=0))
        return PaddedSteps(self.values[samples][:, :steps], lengths)

    def real(self):
        """Mask (n_samples, n_steps) of the real steps."""
        return np.arange(self.values.shape[1]) < self.lengths[:, None]


def per_step(row_loss, scores, targets, weights):
    """A loss over rows (``cross_entropy``, ``squared_error``, ...) applied to
    every real step of padded ``scores`` (n, T, K) against ``targets``
    (:class:`PaddedSteps`): the weighted mean over real steps, each step taking
    its sequence's weight (torch's loss over the packed real steps). Returns the
    loss and the gradient of the scores, zero at padded steps."""
    real = targets.real()
    step_weights = np.broadcast_to(weights[:, None], real.shape)[real]
    loss, d_rows = row_loss(scores[:, :real.shape[1]][real], targets.values[real], step_weights)
    d_scores = np.zeros_like(scores)
    d_scores[:, :real.shape[1]][real] = d_rows
    return loss, d_scores
