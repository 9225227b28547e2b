"""Numbers to words in English and French with an attention encoder-decoder.

Sources such as "fr 347" map to "trois cent quarante-sept" (made offline by the
num2words package: pip install num2words). The model is fitted on 1,400 pairs and
scored by exact match on 200 numbers it never saw in that language; the heat map
shows which source characters the decoder read while writing each output
character.
"""
import matplotlib.pyplot as plt

from rnnsk import AttentionDisplay, EncoderDecoder
from rnnsk.datasets import make_number_words

X, Y = make_number_words(1600, languages=("en", "fr"), max_digits=3, random_state=0)
X_train, Y_train, X_test, Y_test = X[:1400], Y[:1400], X[1400:], Y[1400:]

model = EncoderDecoder(random_state=0).fit(X_train, Y_train)
print(f"held-out exact match: {model.score(X_test, Y_test):.3f}")
for source in ["en 347", "fr 347"]:
    print(f"{source!r} -> {model.predict([source])[0]!r}")

fig, ax = plt.subplots(figsize=(5, 7))
AttentionDisplay.from_estimator(model, "fr 347", ax=ax)
ax.set_title("Attention while writing 'fr 347'")
fig.tight_layout()
