"""A word's representation from its characters: the character BiLSTM of
Lample et al. (2016, "Neural architectures for named entity recognition").

Each character of a word is embedded, a bidirectional LSTM reads the word's
characters, and the final states of both directions (the forward one after the
last character, the backward one after the first), concatenated, are the
word's vector: 2 x ``n_features`` values. The LSTM is the C++ core's
(``RecurrentNetwork``), every word of a batch one of its sequences: no loop
over characters or words in Python.

The torch equivalent is ``nn.Embedding(n_chars, F, padding_idx=0)`` followed by
``nn.LSTM(F, F, bidirectional=True)`` over each word's packed characters
(``torch_layers`` and ``torch_forward``, which ``to_torch`` uses).
"""
import numpy as np

from ._char_encoder import PAD_CHAR, char_embedding, write_embedding_gradient
from ._network import RecurrentNetwork


class CharLSTM:
    """Character embedding (``n_chars`` x ``n_features``) and a bidirectional
    LSTM of ``n_features`` units per direction over it; state_dict names
    ``char_embedding.weight`` and ``char_lstm.<name>`` (nn.LSTM's names)."""

    def __init__(self, n_chars, n_features, rng, dtype):
        self.n_features = 2 * n_features
        self.embedding = char_embedding(n_chars, n_features, rng, dtype)
        # nn.LSTM's initialisation, as the word-level layers' "pytorch" init.
        self.lstm = RecurrentNetwork("lstm", n_features, n_features, bidirectional=True,
                                     dtype=dtype, random_state=rng)
        self._d_embedding = np.zeros_like(self.embedding)
        self._chars = None

    # Views into the LSTM's flat arrays, made afresh (pickling rebuilds the
    # network): the optimizer's updates of them are the LSTM's.
    @property
    def parameters(self):
        return {"char_embedding.weight": self.embedding,
                **{"char_lstm." + name: value for name, value in self.lstm.parameters.items()}}

    @property
    def gradients(self):
        return {"char_embedding.weight": self._d_embedding,
                **{"char_lstm." + name: value for name, value in self.lstm.gradients.items()}}

    @property
    def decayed(self):
        return {"char_embedding.weight"} | {"char_lstm." + name for name in self.lstm.parameters
                                            if name.startswith("weight")}

    def forward(self, chars, training):
        """Word vectors (N, 2F) of N words given as character ids (N, C), each
        word's characters first and then PAD_CHAR."""
        lengths = np.count_nonzero(chars != PAD_CHAR, axis=1)
        _, h_n, _ = self.lstm.forward(self.embedding[chars], lengths, training=training,
                                      return_output=False)
        self._chars = chars if training else None
        return np.concatenate([h_n[0], h_n[1]], axis=1)

    def backward(self, d_words):
        """Writes the parameters' gradients for the words' gradient (N, 2F)."""
        d_h_n = np.stack(np.split(d_words, 2, axis=1))
        d_embedded, _, _ = self.lstm.backward(None, d_h_n)
        write_embedding_gradient(self._d_embedding, self._chars, d_embedded)

    def torch_layers(self, torch):
        """The torch layers, named as in the state_dict (weights copied in by
        ``to_torch``)."""
        nn = torch.nn
        size = self.embedding.shape[1]
        return {"char_embedding": nn.Embedding(*self.embedding.shape, padding_idx=PAD_CHAR),
                "char_lstm": nn.LSTM(size, size, batch_first=True, bidirectional=True)}

    @staticmethod
    def torch_forward(layers, chars):
        """Word vectors (B, T, 2F) of character ids (B, T, C), as ``forward``
        (0 at padded steps, which have no characters)."""
        batch, steps, width = chars.shape
        flat = chars.reshape(-1, width)
        lengths = (flat != PAD_CHAR).sum(dim=1)
        # torch is imported only when a module is built (see _torch.py).
        from torch.nn.utils.rnn import pack_padded_sequence
        packed = pack_padded_sequence(layers["char_embedding"](flat),
                                      lengths.clamp(min=1).cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, (h_n, _) = layers["char_lstm"](packed)
        words = h_n.transpose(0, 1).reshape(len(flat), -1) * (lengths > 0)[:, None]
        return words.reshape(batch, steps, -1)
