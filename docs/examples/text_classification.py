"""Classify short texts whose label depends on word order.

Synthetic reviews: filler words around one opinion word ("good", "great",
... or "bad", "awful", ...), sometimes preceded by "not", which flips it.
The label is the opinion after negation. A bag of words sees that "not"
occurs but not what it applies to, so a linear model on word counts cannot
learn the flip (positive = good XOR not); an LSTM reading the ids in order can.

``TextSequencer`` turns each document into a 1-D array of token
ids (0 for words it never saw); an estimator with ``embedding_dim`` learns a
vector per id. In a Pipeline the vocabulary size is inferred by the
estimator from the ids it is fitted on.

Run from anywhere once rnnsk is installed::

    python docs/examples/text_classification.py
"""
import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from rnnsk import LSTMClassifier, TextSequencer

POSITIVE = ["good", "great", "fine", "lovely", "superb"]
NEGATIVE = ["bad", "awful", "poor", "dull", "boring"]
FILLER = ["the", "film", "plot", "was", "really", "quite", "and", "story", "acting",
          "ending", "overall", "it", "seemed"]


def make_reviews(n, rng):
    """n documents and their labels (1 positive, 0 negative)."""
    documents, labels = [], []
    for _ in range(n):
        positive = rng.random() < 0.5
        negated = rng.random() < 0.5
        opinion = rng.choice(POSITIVE if positive else NEGATIVE)
        words = list(rng.choice(FILLER, size=rng.integers(2, 7)))
        phrase = ["not", opinion] if negated else [opinion]
        at = rng.integers(0, len(words) + 1)
        documents.append(" ".join(words[:at] + phrase + words[at:]))
        labels.append(int(positive != negated))
    return documents, np.array(labels)


rng = np.random.default_rng(0)
documents, labels = make_reviews(600, rng)
train_docs, test_docs, y_train, y_test = train_test_split(
    documents, labels, test_size=0.3, random_state=0, stratify=labels)
print("Examples:", *(f"  {label}  {doc!r}" for doc, label in zip(documents[:4], labels)),
      sep="\n")

bag_of_words = make_pipeline(CountVectorizer(), LogisticRegression())
bag_of_words.fit(train_docs, y_train)
print(f"bag of words + logistic regression: test accuracy "
      f"{bag_of_words.score(test_docs, y_test):.3f}")

lstm = make_pipeline(
    TextSequencer(),
    LSTMClassifier(embedding_dim=8, hidden_size=16, learning_rate_init=0.02, max_iter=60,
                   random_state=0, n_threads=1))
lstm.fit(train_docs, y_train)
sequencer, classifier = lstm
print(f"vocabulary: {sequencer.vocabulary_size_ - 1} words (+ id 0 for unknown ones)")
print(f"TextSequencer + LSTMClassifier:     test accuracy {lstm.score(test_docs, y_test):.3f}"
      f"  ({classifier.n_iter_} epochs)")
print("Unseen words map to id 0:", sequencer.transform(["the film was not terrible"])[0])
