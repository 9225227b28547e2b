"""A word's representation from its characters: the character CNN of Ma & Hovy
(2016, "End-to-end sequence labeling via bi-directional LSTM-CNNs-CRF").

Each character of a word is embedded, a convolution of width 3 (zero padding of
one character on each side) runs over the word, and the maximum of every filter
over the word's characters is the word's vector. Unseen words thereby still get
a representation from the characters they share with seen ones.

The torch equivalent is ``nn.Embedding(n_chars, F, padding_idx=0)`` followed
by ``nn.Conv1d(F, F, 3, padding=1)`` and a max over each word's real
characters (``CharCNN.torch_layers`` and ``torch_forward``, which ``to_torch``
uses). All tokens of a batch are computed at once: no loop over steps or words.
"""
import numpy as np

from ._init import uniform
from ._memory import check_parameters_fit
from ._sparse import write_row_sums

# Character id 0 pads words to the batch's longest (its embedding stays zero);
# id 1 stands for every character not seen in fit.
PAD_CHAR = 0
UNKNOWN_CHAR = 1
WIDTH = 3


def char_embedding(n_chars, n_features, rng, dtype):
    """The characters' table, drawn as nn.Embedding's (N(0, 1)), the padding
    row zero (nn.Embedding(padding_idx=PAD_CHAR)). Made first by either
    encoder, so it checks first that the encoder can fit: its table and at
    least n_features**2 weights (the CNN has 3 times that, the LSTM 16)."""
    check_parameters_fit(n_chars * n_features + n_features**2, np.dtype(dtype),
                         f"a character encoder of char_features={n_features}",
                         "use a smaller char_features")
    table = rng.standard_normal((n_chars, n_features)).astype(dtype)
    table[PAD_CHAR] = 0
    return table


def write_embedding_gradient(d_table, chars, d_embedded):
    """The table's gradient for that of every looked-up row, d_embedded
    (N, C, F) of chars (N, C); the padding row's stays zero."""
    real = chars != PAD_CHAR
    write_row_sums(d_table, chars[real], d_embedded[real])


class CharCNN:
    """Character embedding (``n_chars`` x ``n_features``) and ``n_features``
    filters of width 3 over it; state_dict names ``char_embedding.weight``,
    ``char_conv.weight`` (F, F, 3) and ``char_conv.bias``."""

    def __init__(self, n_chars, n_features, rng, dtype):
        self.n_features = n_features
        self.embedding = char_embedding(n_chars, n_features, rng, dtype)
        # nn.Conv1d's initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        bound = 1.0 / np.sqrt(n_features * WIDTH)
        self.weight = uniform(rng, bound, (n_features, n_features, WIDTH), dtype)
        self.bias = uniform(rng, bound, (n_features,), dtype)
        self._gradients = {name: np.zeros_like(value) for name, value in self.parameters.items()}
        self._tape = None

    @property
    def parameters(self):
        return {"char_embedding.weight": self.embedding, "char_conv.weight": self.weight,
                "char_conv.bias": self.bias}

    @property
    def gradients(self):
        return self._gradients

    @property
    def decayed(self):
        return {"char_embedding.weight", "char_conv.weight"}

    def forward(self, chars, training):
        """Word vectors (N, F) of N words given as character ids (N, C), each
        word's characters first and then PAD_CHAR."""
        n_words, width = chars.shape
        embedded = np.zeros((n_words, width + 2, self.n_features), self.embedding.dtype)
        embedded[:, 1:-1] = self.embedding[chars]
        # Window k of position p reads character p - 1 + k.
        windows = np.stack([embedded[:, k:k + width] for k in range(WIDTH)], axis=2)
        kernel = self.weight.transpose(2, 1, 0).reshape(WIDTH * self.n_features, -1)
        convolved = windows.reshape(n_words, width, -1) @ kernel + self.bias
        real = chars != PAD_CHAR
        convolved[~real] = -np.inf
        best = np.argmax(convolved, axis=1)  # (N, F): the first maximum, as torch.max
        if training:
            self._tape = (chars, windows, best, kernel)
        return np.take_along_axis(convolved, best[:, None], axis=1)[:, 0]

    def backward(self, d_words):
        """Writes the parameters' gradients for the words' gradient (N, F)."""
        chars, windows, best, kernel = self._tape
        n_words, width = chars.shape
        d_convolved = np.zeros((n_words, width, self.n_features), d_words.dtype)
        np.put_along_axis(d_convolved, best[:, None], d_words[:, None], axis=1)
        rows = d_convolved.reshape(-1, self.n_features)
        d_kernel = windows.reshape(len(rows), -1).T @ rows
        self._gradients["char_conv.weight"][...] = (
            d_kernel.reshape(WIDTH, self.n_features, -1).transpose(2, 1, 0))
        self._gradients["char_conv.bias"][...] = rows.sum(axis=0)
        d_windows = (rows @ kernel.T).reshape(n_words, width, WIDTH, self.n_features)
        d_embedded = np.zeros((n_words, width + 2, self.n_features), d_words.dtype)
        for k in range(WIDTH):  # the three taps of the kernel, not steps
            d_embedded[:, k:k + width] += d_windows[:, :, k]
        write_embedding_gradient(self._gradients["char_embedding.weight"], chars,
                                 d_embedded[:, 1:-1])

    def torch_layers(self, torch):
        """The torch layers, named as in the state_dict (weights copied in by
        ``to_torch``)."""
        nn = torch.nn
        return {"char_embedding": nn.Embedding(*self.embedding.shape, padding_idx=PAD_CHAR),
                "char_conv": nn.Conv1d(self.n_features, self.n_features, WIDTH, padding=1)}

    @staticmethod
    def torch_forward(layers, chars):
        """Word vectors (B, T, F) of character ids (B, T, C), as ``forward``
        (0 at padded steps, which have no characters)."""
        batch, steps, width = chars.shape
        flat = chars.reshape(-1, width)
        embedded = layers["char_embedding"](flat)
        convolved = layers["char_conv"](embedded.transpose(1, 2))
        convolved = convolved.masked_fill((flat == PAD_CHAR)[:, None], float("-inf"))
        best = convolved.max(dim=2).values
        best = best.masked_fill(best == float("-inf"), 0.0)
        return best.reshape(batch, steps, -1)
