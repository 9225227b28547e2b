"""The Parameters and Attributes sections of the estimators' docstrings.

The recurrent estimators share most of their ~35 parameters. Writing each
parameter's documentation out again in every class would make a dozen
near-identical copies that drift apart, so each is described once here, and
:func:`numpydoc_sections` writes a class's sections from its ``__init__``
signature: every parameter in signature order, its default read from the
signature (the one place a default is written), its type and description from
:data:`PARAMETERS` unless the class describes it itself. The result is a
complete numpydoc ``__doc__`` (what ``help()``, IDEs running the code and the
API pages show); tests/test_docstrings.py checks it against the signature and
``_parameter_constraints``.
"""
import inspect
import re
import textwrap

# name -> (type, description) of every shared parameter.
PARAMETERS = {
    "cell": ("{'lstm', 'gru', 'rnn_tanh', 'rnn_relu'}",
             "The recurrent cell: long short-term memory, gated recurrent unit, or "
             "Elman RNN with tanh or ReLU (the named classes such as "
             ":class:`LSTMClassifier` fix it)."),
    "hidden_size": ("int or tuple of int",
                    "Size of the hidden state of each layer (per direction). A tuple gives "
                    "one size per layer."),
    "num_layers": ("int or None",
                   "Number of stacked layers; None is 1, or ``len(hidden_size)`` for a "
                   "tuple."),
    "bidirectional": ("bool",
                      "Also read every sequence backwards; the outputs (and final states) "
                      "of the two directions are concatenated."),
    "dropout": ("float",
                "Dropout on the outputs of every recurrent layer but the last, while "
                "training."),
    "embedding_dim": ("int or None",
                      "When set, X holds integer token ids, each replaced by a learned "
                      "vector of this size (PyTorch's ``nn.Embedding``)."),
    "vocabulary_size": ("int or None",
                        "Number of distinct token ids; None infers it as the largest id in "
                        "the first ``fit`` plus one. Integer token ids only: with string "
                        "tokens (taggers, step regressors) the vocabulary learned in fit "
                        "decides, and this is not read."),
    "embedding_dropout": ("float",
                          "While training, drop each distinct token id of a minibatch with "
                          "this probability (its vector is zero wherever it occurs; the "
                          "others are scaled by ``1 / (1 - embedding_dropout)``), as "
                          "AWD-LSTM's embedding dropout. Needs an embedding."),
    "solver": ("{'adam', 'sgd'}",
               "The optimizer: Adam, or stochastic gradient descent with ``momentum``."),
    "alpha": ("float",
              "Strength of the L2 penalty on the weights (not the biases, nor the "
              "embedding), as scikit-learn's MLP: ``alpha / 2 * |W|^2`` per unit of "
              "sample weight."),
    "batch_size": ("int or 'auto'",
                   "Sequences per minibatch; 'auto' splits each epoch into "
                   "``ceil(n_samples / 32)`` minibatches of near-equal sizes (at most "
                   "32; 36 sequences are two minibatches of 18). An integer gives "
                   "minibatches of that size and a smaller last one, as in "
                   "scikit-learn's MLP."),
    "learning_rate_init": ("float", "The initial learning rate of the optimizer."),
    "max_iter": ("int", "Maximum number of epochs."),
    "max_grad_norm": ("float or None",
                      "Gradients are rescaled so that their global L2 norm is at most this "
                      "(PyTorch's ``clip_grad_norm_``); None turns clipping off."),
    "shuffle": ("bool", "Shuffle the samples before every epoch."),
    "random_state": ("int, RandomState instance or None",
                     "Seeds initialisation, shuffling, dropout and the validation split. "
                     "With the same value and thread count, fits are bit-identical."),
    "tol": ("float",
            "Least improvement of the training loss (of the validation score with "
            "``early_stopping``) that counts as progress."),
    "verbose": ("bool or int",
                "1 (or True): print one line per epoch (loss, validation score, seconds). "
                "2: also progress within each epoch, as Keras' ``fit``: samples done, a "
                "bar, the time left and the running loss, redrawn in place on a terminal "
                "and printed at every tenth of the epoch otherwise."),
    "warm_start": ("bool",
                   "Let ``fit`` continue from the weights of the previous fit instead of "
                   "starting afresh. The network stays the fitted one: a new value of a "
                   "parameter that shapes it or how it reads its inputs (its cell, layer "
                   "sizes, directions, readout, embeddings, dtype, patches, "
                   "standardization, a classifier's or regressor's ``bptt_steps``, and the "
                   "estimator's own such as ``crf`` or ``attention``) is refused with a "
                   "ValueError naming it, as by ``partial_fit``."),
    "momentum": ("float", "Momentum of the 'sgd' solver, between 0 and 1."),
    "nesterovs_momentum": ("bool", "Use Nesterov's momentum with the 'sgd' solver."),
    "early_stopping": ("bool",
                       "Hold out ``validation_fraction`` of the data (stratified for "
                       "classifiers), stop when the validation score (see "
                       "``validation_scores_``) stops improving and restore the best "
                       "weights."),
    "validation_fraction": ("float",
                            "Fraction of the training data held out with "
                            "``early_stopping``."),
    "beta_1": ("float", "Adam's decay rate of the first moment estimates, in [0, 1)."),
    "beta_2": ("float", "Adam's decay rate of the second moment estimates, in [0, 1)."),
    "epsilon": ("float", "Adam's term for numerical stability."),
    "n_iter_no_change": ("int",
                         "Epochs without ``tol`` improvement before the learning rate is "
                         "lowered or training stops (see ``learning_rate``)."),
    "n_threads": ("int or None",
                  "Threads of the C++ core; None uses every core (or "
                  "``OMP_NUM_THREADS``), a negative number counts back from all cores "
                  "(-1 = all)."),
    "dtype": ("{'float32', 'float64'}", "Precision of the weights and of the computation."),
    "bptt_steps": ("int or None",
                   "Truncated backpropagation through time: read sequences in windows of "
                   "this many steps, carrying the state across, and backpropagate through "
                   "each sequence's last window only. Memory then stays bounded however "
                   "long the sequences are (predict also reads by windows, those of fit). "
                   "Unidirectional only. With ``patch_length``, steps of the network: "
                   "patches. The head reads the last window: ``readout='mean'``, "
                   "``'max'`` and ``'attention'`` summarize its steps alone (``to_torch``'s "
                   "module reads whole sequences, so it reproduces ``predict`` only with "
                   "``readout='last'``)."),
    "device": ("{'cpu', 'cuda', 'cuda:N'}",
               "Where the recurrent layers train and predict. On a GPU their weights and "
               "optimizer state stay in GPU memory across minibatches (the embedding and "
               "the output layer stay on the host). Needs rnnsk built with CUDA support "
               "(see the GPU guide); otherwise fit raises a RuntimeError saying why. A "
               "fitted model moves when ``device`` is changed with ``set_params`` (its "
               "optimizer moments then restart)."),
    "init": ("{'orthogonal', 'pytorch'}",
             "Initial weights. 'orthogonal': Glorot-uniform input weights, an orthogonal "
             "matrix per gate for the recurrent weights (the identity for ``rnn_relu``), "
             "zero biases but the LSTM forget gate's (1), Glorot-uniform head (Keras's "
             "defaults) for the classifiers and regressors; the per-step heads (tagger, "
             "CRF, step regressor, language model) keep ``torch.nn.Linear``'s draws "
             "under either value. 'pytorch': ``torch.nn``'s uniform draws. See the user "
             "guide's page on defaults."),
    "readout": ("{'max', 'mean', 'last', 'attention'}",
                "How each sequence is summarised for the output layer: the top layer's "
                "maximum over time of each unit, its mean over time, its final state "
                "(both directions' when bidirectional), or learned attention pooling over "
                "the steps. All ignore padding: only each sequence's real steps count."),
    "patch_length": ("int >= 1 or 'auto'",
                     "Steps read together as one step of the network: with k, steps "
                     "t*k .. t*k+k-1 go in side by side, so the recurrence runs k times "
                     "fewer steps, each over a local piece of the series (segment-wise "
                     "RNNs, Lin et al. 2023). A sequence's last patch repeats its last "
                     "step. 'auto': the median training length // 32, from 1 to 8, so "
                     "sets whose median length is under 64 steps, and token ids, are read "
                     "step by step; fixed by the first fit (``patch_length_``); "
                     "``bptt_steps`` counts patches. Exported weights "
                     "(``state_dict``, :func:`~rnnsk.to_torch`) read patches: the torch "
                     "module makes them."),
    "learning_rate": ("{'adaptive', 'constant'}",
                      "'adaptive' (scikit-learn MLP's rule, here for Adam too): each time "
                      "the training loss (the validation score with ``early_stopping``) "
                      "has not improved by ``tol`` for ``n_iter_no_change`` consecutive "
                      "epochs, the learning rate is divided by 5; training stops once it "
                      "is below 1e-6. 'constant': training stops at the first such "
                      "plateau. Both are rules of ``fit``: every ``partial_fit`` call "
                      "trains at ``learning_rate_init``."),
    "standardize": ("bool",
                    "Standardize each input feature inside the estimator (mean and "
                    "standard deviation over the real steps of the first fit's "
                    "sequences), so that inputs in any units train alike: float64 "
                    "inputs are standardized in float64 before ``dtype`` rounds them "
                    "(a feature such as 1e6 + 0.01 x keeps x at float32). ``state_dict`` "
                    "and :func:`~rnnsk.to_torch` fold the map into the first layer's "
                    "``weight_ih``/``bias_ih``: exported weights read raw inputs. Ignored "
                    "with token inputs."),
    "sequence_standardize": ("bool",
                             "Also read each sequence standardized by its own mean and "
                             "standard deviation (per feature, over its real steps), and that "
                             "mean and the log of that standard deviation at every step: four "
                             "inputs per feature, for series whose levels and amplitudes "
                             "differ by orders of magnitude (a global standardization leaves "
                             "most of them nearly constant). Exported weights "
                             "(``state_dict``) read the four: x, (x - m) / s, m, "
                             "log(max(s, 0.001 * the feature's standard deviation)); "
                             ":func:`~rnnsk.to_torch`'s module computes them. Ignored with "
                             "token inputs."),
    "input_noise": ("float >= 0 or 'auto'",
                    "Standard deviation of zero-mean noise (uniform, bounded by sqrt(3) "
                    "times it) added to every real-valued input while training, drawn "
                    "anew for each minibatch (jittering; to first order a smoothness "
                    "penalty, Bishop 1995); prediction reads the clean inputs. A number "
                    "is in the units the network reads: each feature's "
                    "standard deviation with ``standardize``, raw units otherwise. 'auto': "
                    "for each feature 0.3 times the standard "
                    "deviation of its changes from one step to the next in the training "
                    "sequences, so that smooth profiles keep their shape and rough, noisy "
                    "channels are regularized; none on token ids. Classifiers jitter "
                    "only series read step by step (``patch_length_`` 1: at "
                    "``patch_length='auto'``, a median length below 64 steps), none read "
                    "in patches (docs/guide/defaults.md has the measurements)."),
    "class_weight": ("dict, 'balanced' or None",
                     "Weights of the classes in the loss, as in scikit-learn's classifiers "
                     "(finite and non-negative). Only ratios of weights matter: sample and "
                     "class weights are each divided by their largest value at fit, and a "
                     "minibatch whose samples all have weight zero is skipped. "
                     "``partial_fit`` refuses 'balanced' (each call would balance its own "
                     "chunk): pass a dict computed on the whole training set."),
    "label_smoothing": ("float in [0, 1)",
                        "Training targets put 1 - label_smoothing on the true class and "
                        "label_smoothing spread evenly over all classes (Szegedy et al. "
                        "2016; torch's ``CrossEntropyLoss(label_smoothing=...)``), which "
                        "keeps the network from driving its outputs to certainty on a few "
                        "training sequences; 0 is the plain cross-entropy. Training aims "
                        "for 1 - label_smoothing + label_smoothing / n_classes on the "
                        "true class, so ``predict_proba`` is less confident than without "
                        "(docs/guide/defaults.md has the measurements). With "
                        "``class_weight``, a sample's whole smoothed loss takes its class's "
                        "weight."),
    "loss": ("{'squared_error', 'huber'}",
             "Half the mean squared error (as MLPRegressor), or the Huber loss with "
             "threshold 1 on standardized targets, which resists outliers."),
    "min_frequency": ("int",
                      "String tokens seen fewer times than this in fit share the "
                      "out-of-vocabulary id (so that its embedding is trained); integer "
                      "token ids are read as they are."),
    "tokenizer": ("callable or None",
                  "With ``analyzer='word'``, a function from a string to its list of "
                  "tokens (for example a word segmenter such as ``jieba.lcut``), as "
                  ":class:`~rnnsk.TextSequencer`'s."),
}

# name -> (type, description) of every shared fitted attribute.
ATTRIBUTES = {
    "classes_": ("ndarray of shape (n_classes,)", "The class labels, sorted."),
    "n_outputs_": ("int", "Number of target columns."),
    "n_features_in_": ("int", "Features per time step (for a 2-D X, its number of columns)."),
    "patch_length_": ("int", "Steps of a sequence read as one step of the network (see "
                             "``patch_length``)."),
    "bidirectional_": ("bool", "Whether the network reads each sequence both ways "
                               "(``bidirectional``, ``'auto'`` resolved)."),
    "feature_names_in_": ("ndarray of shape (n_features,)",
                          "Names of the features, when X was a DataFrame with string "
                          "column names, or sequences given as such DataFrames."),
    "loss_": ("float or None", "Training loss of the last epoch (None when no epoch "
                                 "completed: training diverged in the first)."),
    "loss_curve_": ("list of float", "Training loss of every epoch."),
    "best_loss_": ("float", "Smallest training loss of an epoch of the last ``fit`` (and "
                            "the ``partial_fit`` calls since)."),
    "validation_scores_": ("list of float or None",
                           "Validation score after every epoch with early stopping "
                           "(accuracy for classifiers, R^2 for regressors), else None."),
    "best_validation_score_": ("float or None", "Best validation score of the last "
                                                "``fit``; its weights are kept."),
    "n_iter_": ("int", "Epochs run."),
    "t_": ("int", "Training samples seen."),
    "model_": ("object", "The fitted network; see :meth:`state_dict` for its weights."),
}

# What every estimator trained by the shared loop (_base.py) has after fit.
TRAINING_ATTRIBUTES = ("n_features_in_", "loss_", "loss_curve_", "best_loss_",
                       "validation_scores_", "best_validation_score_", "n_iter_", "t_",
                       "model_")


def numpydoc_sections(*, attributes=(), **described):
    """Class decorator: writes the class docstring's ``{parameters}`` line as
    the numpydoc entries of every parameter of ``__init__``, and its
    ``{attributes}`` line as those of ``attributes`` (names). ``described``
    gives the class's own ``(type, description)`` of a parameter or attribute,
    used instead of the shared one."""
    def document(cls):
        doc = inspect.cleandoc(cls.__doc__)  # (Python 3.13 cleans it already)
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
        doc = _fill(cls, doc, "{parameters}",
                    [_entry(p.name, *_description(p.name, PARAMETERS, described),
                            default=p.default) for p in parameters])
        if attributes:
            doc = _fill(cls, doc, "{attributes}",
                        [_entry(name, *_description(name, ATTRIBUTES, described))
                         for name in attributes])
        cls.__doc__ = doc
        return cls
    return document


def _description(name, shared, described):
    if name in described:
        return described[name]
    if name not in shared:
        raise KeyError(f"{name!r} has no shared description: describe it in the class's "
                       "numpydoc_sections(...)")
    return shared[name]


_NO_DEFAULT = object()


def _entry(name, kind, text, default=_NO_DEFAULT):
    """One numpydoc entry: ``name : kind, default=...`` and the indented text."""
    heading = f"{name} : {kind}"
    if default is not _NO_DEFAULT:
        shown = repr(default)
        # Backslashes are RST escapes outside literals (a regex default).
        heading += f", default=``{shown}``" if "\\" in shown else f", default={shown}"
    return heading + "\n" + textwrap.fill(text, width=75, initial_indent="    ",
                                          subsequent_indent="    ",
                                          break_on_hyphens=False, break_long_words=False)


def _fill(cls, doc, placeholder, entries):
    doc, found = re.subn(rf"^{re.escape(placeholder)}$", lambda _: "\n".join(entries), doc,
                         flags=re.M)
    if found != 1:
        raise ValueError(f"the docstring of {cls.__name__} has no line {placeholder!r}")
    return doc
