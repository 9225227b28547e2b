"""Heat map of the attention weights of an encoder-decoder: which source
tokens the decoder read while writing each output token."""
import numpy as np

from ._display import _import_pyplot

__all__ = ["AttentionDisplay"]


class AttentionDisplay:
    """Alignment matrix of one source and its output, as a heat map.

    Rows are output tokens (the last one the end token), columns source
    tokens; cell (t, s) is the weight the decoder gave source token s while
    emitting output token t. Follows scikit-learn's visualization API: build it
    with :meth:`from_estimator`, or with the matrix and labels and call
    :meth:`plot`; the matplotlib objects are then in ``ax_``, ``figure_`` and
    ``image_``.

    Parameters
    ----------
    weights : array-like of shape (n_output_tokens, n_source_tokens)
    source_tokens : list of str
    output_tokens : list of str
        One label per row (the end token included).

    Examples
    --------
    >>> from rnnsk import AttentionDisplay, EncoderDecoder
    >>> model = EncoderDecoder(max_iter=50).fit(X, Y)                   # doctest: +SKIP
    >>> AttentionDisplay.from_estimator(model, "en 4312")               # doctest: +SKIP
    """

    def __init__(self, *, weights, source_tokens, output_tokens):
        self.weights = weights
        self.source_tokens = source_tokens
        self.output_tokens = output_tokens

    def plot(self, ax=None, *, cmap="viridis", colorbar=True):
        """Draw the heat map on ``ax`` (a new figure when None); returns self."""
        plt = _import_pyplot(f"{type(self).__name__}.plot")
        weights = np.asarray(self.weights, dtype=np.float64)
        expected = (len(self.output_tokens), len(self.source_tokens))
        if weights.shape != expected:
            raise ValueError(f"weights has shape {weights.shape} but there are "
                             f"{expected[0]} output and {expected[1]} source labels")
        if ax is None:
            _, ax = plt.subplots()
        self.image_ = ax.imshow(weights, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
        # A space, the commonest character token, would be an invisible label.
        ax.set_xticks(np.arange(weights.shape[1]),
                      labels=["␣" if t == " " else str(t) for t in self.source_tokens])
        ax.set_yticks(np.arange(weights.shape[0]), labels=[str(t) for t in self.output_tokens])
        ax.set_xlabel("Source")
        ax.set_ylabel("Output")
        if colorbar:
            ax.figure.colorbar(self.image_, ax=ax, label="Attention weight")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, source, target=None, *, ax=None, cmap="viridis",
                       colorbar=True):
        """Plot the alignment of one ``source`` with its predicted output (or
        with ``target``, read by teacher forcing) for a fitted
        :class:`EncoderDecoder` with attention."""
        _import_pyplot(f"{cls.__name__}.from_estimator")
        if not hasattr(estimator, "attention_weights"):
            # (a classifier's readout='attention' pools over time: no alignment)
            raise TypeError(f"{cls.__name__} plots an EncoderDecoder's alignment of a source "
                            f"with its output; {type(estimator).__name__} has none")
        if target is None:
            target = estimator.predict([source])[0]
        weights = estimator.attention_weights([source], [target])[0]
        display = cls(weights=weights, source_tokens=estimator.source_tokens(source),
                      output_tokens=estimator.output_tokens(target) + ["<end>"])
        return display.plot(ax=ax, cmap=cmap, colorbar=colorbar)
