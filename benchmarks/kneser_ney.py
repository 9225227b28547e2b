"""Interpolated Kneser-Ney character n-gram model: the classic baseline of
character-level language models (Chen & Goodman 1999, "An empirical study of
smoothing techniques for language modeling", interpolated KN with one absolute
discount per order, D = n1 / (n1 + 2 n2)).

Documents are read as the language model reads them: a start symbol, the
characters, an end symbol that is predicted like a character. Counting is one
pass of Python dictionaries over the n-grams of every order (a few seconds per
million characters); scoring memoizes contexts.
"""
import math
from collections import Counter, defaultdict

START, END = "\x02", "\x03"


class KneserNey:
    def __init__(self, order=5):
        self.order = order

    def fit(self, documents):
        texts = [START + document + END for document in documents]
        n = self.order
        # Highest order: counts of n-grams; lower orders: continuation counts
        # N1+(. g), the number of distinct characters seen before the gram g.
        highest = Counter()
        for text in texts:
            # Histories at the start of a document are shorter than n - 1.
            for i in range(1, len(text)):
                highest[text[max(0, i - n + 1):i + 1]] += 1
        counts = [None] * (n + 1)
        counts[n] = Counter({g: c for g, c in highest.items() if len(g) == n})
        short = Counter({g: c for g, c in highest.items() if len(g) < n})
        for k in range(n - 1, 0, -1):
            continuation = Counter()
            for gram in counts[k + 1]:
                continuation[gram[1:]] += 1
            # Grams that start at a document's start have no left context:
            # their own counts stand in, as for the highest order.
            for gram, c in short.items():
                if len(gram) == k and gram[0] == START:
                    continuation[gram] += c
            counts[k] = continuation
        self.vocabulary = {g for g in counts[1]} | {END}
        self.counts = counts
        self.discounts = [None] * (n + 1)
        self.context_totals = [None] * (n + 1)
        self.context_types = [None] * (n + 1)
        for k in range(1, n + 1):
            of_count = Counter(counts[k].values())
            n1, n2 = of_count.get(1, 0), of_count.get(2, 0)
            self.discounts[k] = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
            totals, types = defaultdict(int), defaultdict(int)
            for gram, c in counts[k].items():
                totals[gram[:-1]] += c
                types[gram[:-1]] += 1
            self.context_totals[k], self.context_types[k] = totals, types
        self._cache = {}
        return self

    def probability(self, history, token):
        """P(token | the last order - 1 characters of history)."""
        history = history[-(self.order - 1):] if self.order > 1 else ""
        key = (history, token)
        if key not in self._cache:
            self._cache[key] = self._interpolated(history, token)
        return self._cache[key]

    def _interpolated(self, history, token):
        # Order 0: uniform over the vocabulary and one unknown symbol.
        p = 1.0 / (len(self.vocabulary) + 1)
        for k in range(1, len(history) + 2):
            context = history[len(history) - (k - 1):] if k > 1 else ""
            total = self.context_totals[k].get(context, 0)
            if total == 0:
                continue  # unseen context: the lower order's estimate stands
            d = self.discounts[k]
            c = self.counts[k].get(context + token, 0)
            p = max(c - d, 0) / total + d * self.context_types[k][context] / total * p
        return p

    def log_likelihood(self, documents):
        """(sum of natural-log probabilities, number of predicted symbols)."""
        total, count = 0.0, 0
        for document in documents:
            text = START + document + END
            for i in range(1, len(text)):
                total += math.log(self.probability(text[max(0, i - self.order + 1):i],
                                                   text[i]))
                count += 1
        return total, count
