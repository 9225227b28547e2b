"""Plot of a fitted estimator's training: loss per epoch, validation score per
epoch when early stopping held data out."""
import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["TrainingCurveDisplay"]


def _import_pyplot(caller):
    """matplotlib.pyplot, or an ImportError that says how to get it: matplotlib
    is optional and only ever imported here."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(f"{caller} requires matplotlib, which rnnsk does not depend on. "
                          "You can install it with `pip install matplotlib`.") from error
    return plt


class TrainingCurveDisplay:
    """Training loss and validation score per epoch of a fitted estimator.

    It follows scikit-learn's visualization API: build it with
    :meth:`from_estimator` (or with the curves themselves and call
    :meth:`plot`); the matplotlib objects are then in ``ax_``, ``figure_``
    and ``lines_``. The name avoids scikit-learn's
    :class:`~sklearn.model_selection.LearningCurveDisplay`, which plots scores
    against the number of training samples; this one plots one fit against
    its epochs.

    The loss is drawn on the left axis. The validation score (the
    estimator's ``validation_scores_``: accuracy for classifiers, R^2 for
    regressors, computed on the ``validation_fraction`` held out when
    ``early_stopping=True``) is drawn on a second y axis on the right, since
    the two are on different scales; without early stopping there is none.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of each epoch.
    validation_scores : array-like of shape (n_scored_epochs,), default=None
        Validation score of each epoch, or None. If there are fewer scores
        than losses (a warm-started fit that turned early stopping on), they
        are drawn against the last epochs.
    estimator_name : str, default=None
        Name shown as the title; None shows none.
    score_name : str, default="Validation score"
        Label of the validation curve and of the right axis.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes with the loss (left y axis).
    validation_ax_ : matplotlib Axes or None
        The twin axes (sharing x, right y axis) with the validation score;
        None without validation scores.
    figure_ : matplotlib Figure
        The figure holding the axes.
    lines_ : list of matplotlib Line2D
        The loss line, then the validation line if there is one.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnsk import GRUClassifier, TrainingCurveDisplay
    >>> X = np.random.RandomState(0).randn(60, 5, 2)
    >>> y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    >>> clf = GRUClassifier(hidden_size=8, max_iter=20, early_stopping=True,
    ...                     validation_fraction=0.2, random_state=0).fit(X, y)
    >>> display = TrainingCurveDisplay.from_estimator(clf)  # doctest: +SKIP
    """

    def __init__(self, *, loss_curve, validation_scores=None, estimator_name=None,
                 score_name="Validation score"):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name
        self.score_name = score_name

    def plot(self, ax=None, *, name=None, loss_kw=None, validation_kw=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the loss on; None creates a new figure and axes. The
            validation score goes on a twin of these axes.
        name : str, default=None
            Title; None uses ``estimator_name``.
        loss_kw, validation_kw : dict, default=None
            Keyword arguments passed to ``ax.plot`` for each curve (colour,
            line style...), overriding the defaults.

        Returns
        -------
        display : TrainingCurveDisplay
            This object, with ``ax_``, ``validation_ax_``, ``figure_`` and
            ``lines_`` set.
        """
        plt = _import_pyplot(f"{type(self).__name__}.plot")
        loss = np.asarray(self.loss_curve, dtype=np.float64).ravel()
        if loss.size == 0:
            raise ValueError("loss_curve is empty: there is no epoch to plot")
        scores = self.validation_scores
        has_scores = scores is not None and len(scores) > 0
        if ax is None:
            _, ax = plt.subplots()
        epochs = np.arange(1, loss.size + 1)

        style = {"color": "C0", "label": "Training loss"}
        (loss_line,) = ax.plot(epochs, loss, **{**style, **(loss_kw or {})})
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Training loss")
        self.lines_ = [loss_line]
        self.validation_ax_ = None
        if has_scores:
            scores = np.asarray(scores, dtype=np.float64).ravel()
            if scores.size > loss.size:
                raise ValueError(f"validation_scores has {scores.size} values but loss_curve "
                                 f"only {loss.size}: there is one of each per epoch")
            twin = ax.twinx()
            style = {"color": "C1", "label": self.score_name}
            # Fewer scores than losses: early stopping was on only for the last
            # fit of a warm start, so the scores belong to the last epochs.
            (score_line,) = twin.plot(epochs[loss.size - scores.size:], scores,
                                      **{**style, **(validation_kw or {})})
            twin.set_ylabel(self.score_name)
            self.lines_.append(score_line)
            self.validation_ax_ = twin
        ax.legend(handles=self.lines_, loc="best")
        title = name if name is not None else self.estimator_name
        if title is not None:
            ax.set_title(title)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, loss_kw=None,
                       validation_kw=None):
        """Plot the training curves of a fitted estimator.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            An estimator with ``loss_curve_`` (and ``validation_scores_``):
            any rnnsk estimator, or scikit-learn's MLP. For a Pipeline its
            last step is used.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a new figure.
        name : str, default=None
            Title; None uses the class name of the estimator.
        loss_kw, validation_kw : dict, default=None
            See :meth:`plot`.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        _import_pyplot(f"{cls.__name__}.from_estimator")
        final = estimator[-1] if isinstance(estimator, Pipeline) else estimator
        check_is_fitted(final)
        if not hasattr(final, "loss_curve_"):
            raise TypeError(f"{type(final).__name__} has no loss_curve_: "
                            f"{cls.__name__} plots estimators trained by epochs, such as "
                            "the rnnsk estimators or scikit-learn's MLP")
        if is_classifier(final) or hasattr(final, "classes_"):  # a tagger: token accuracy
            score_name = "Validation accuracy"
        elif is_regressor(final):
            score_name = "Validation R$^2$"
        else:
            score_name = "Validation score"
        display = cls(loss_curve=list(final.loss_curve_),
                      validation_scores=getattr(final, "validation_scores_", None),
                      estimator_name=type(final).__name__, score_name=score_name)
        return display.plot(ax=ax, name=name, loss_kw=loss_kw, validation_kw=validation_kw)
