"""RecurrentTagger at its defaults on the first N sentences of the People's
Daily segmentation corpus, with early stopping forced on or off or left to the
defaults; word F1 on the whole test split (benchmarks/tagging.py's scoring).

Usage::

    python -P benchmarks/tagger_early_stopping.py 3000 off       # early_stopping=False
    python -P benchmarks/tagger_early_stopping.py 3000 default   # early_stopping='auto'

Prints the scores, fit seconds and epochs, and writes them to
``tagger-early-stopping-N-MODE.json`` in the current folder (one thread).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tagging  # noqa: E402

from rnnsk.datasets import load_peoples_daily  # noqa: E402

MODES = {"default": {}, "es": {"early_stopping": True}, "off": {"early_stopping": False}}


def main(n, mode):
    X, y = load_peoples_daily(subset="train", return_X_y=True)
    train = (X[:n], y[:n])
    test = load_peoples_daily(subset="test", return_X_y=True)
    predicted, fit_seconds, _, epochs = tagging.run_rnnsk(train, test, None, 1, **MODES[mode])
    scores = tagging.segmentation_scores(test[0], test[1], predicted, tagging.words_of(*train))
    result = dict(n=n, mode=mode, fit_seconds=fit_seconds, epochs=int(epochs), **scores)
    print(result, flush=True)
    with open(f"tagger-early-stopping-{n}-{mode}.json", "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
