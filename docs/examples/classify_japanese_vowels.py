"""Classify speakers from ragged sequences, and compare the recurrent cells.

The Japanese Vowels recordings ship with rnnsk: 270 training and 370 test
utterances of 7 to 29 frames, 12 features per frame, 9 speakers. The
utterances have different lengths and are passed as a plain list of 2-D
arrays: nothing is padded by hand, and the core never reads padding.

The generic ``RecurrentClassifier`` takes the cell as a parameter,
so the same pipeline fits an Elman RNN, a GRU and an LSTM in turn.

Run from anywhere once rnnsk is installed::

    python docs/examples/classify_japanese_vowels.py
"""
import time

from sklearn.pipeline import make_pipeline

from rnnsk import RecurrentClassifier, SequenceScaler
from rnnsk.datasets import load_japanese_vowels

X_train, y_train = load_japanese_vowels(subset="train", return_X_y=True)
X_test, y_test = load_japanese_vowels(subset="test", return_X_y=True)
lengths = [len(x) for x in X_train]
print(f"{len(X_train)} training sequences of {min(lengths)} to {max(lengths)} steps, "
      f"{X_train[0].shape[1]} features; {len(X_test)} test sequences")

for cell in ["rnn_tanh", "gru", "lstm"]:
    model = make_pipeline(
        SequenceScaler(),  # standardizes each feature over all real time steps
        RecurrentClassifier(cell=cell, hidden_size=32, max_iter=200,
                            learning_rate_init=0.01, random_state=0, n_threads=1))
    started = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - started
    accuracy = model.score(X_test, y_test)
    print(f"{cell:<8} test accuracy {accuracy:.3f}  ({model[-1].n_iter_} epochs, "
          f"{seconds:.1f} s)")
