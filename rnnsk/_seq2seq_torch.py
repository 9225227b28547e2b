"""The encoder-decoder in PyTorch, for ``rnnsk.to_torch(encoder_decoder)``.

Written from the model's definition (HEADS.md, "Encoder–decoder with
attention"; docs/guide/seq2seq.md) with torch's own modules (nn.Embedding,
nn.LSTM / GRU / RNN on packed sequences, nn.Linear) and autograd; it shares no
code with the numpy and C++ implementation, so the tests use it as the
independent reference of the loss, every gradient and the greedy output. The
parameter names are those of ``EncoderDecoder.state_dict()``.

torch is optional: the module class is made on first use.
"""
from functools import lru_cache

START, END = 0, 1
_CELLS = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN"}


def encoder_decoder_module(torch, *, cell, source_vocabulary, target_vocabulary, hidden_size,
                           num_layers, bidirectional, source_embedding_dim,
                           target_embedding_dim, attention, dropout=0.0):
    """An encoder-decoder module of these sizes (torch's initial weights)."""
    return _module_class(torch)(cell, source_vocabulary, target_vocabulary, hidden_size,
                                num_layers, bidirectional, source_embedding_dim,
                                target_embedding_dim, attention, dropout)


@lru_cache(maxsize=None)
def _module_class(torch):
    nn = torch.nn
    pack, unpack = nn.utils.rnn.pack_padded_sequence, nn.utils.rnn.pad_packed_sequence

    class Attention(nn.Module):
        """Luong's general score or Bahdanau's additive score of the decoder's
        current outputs, softmax over the real source steps, context."""

        def __init__(self, kind, decoder_size, encoder_size):
            super().__init__()
            self.kind = kind
            if kind == "luong":
                self.key = nn.Linear(encoder_size, decoder_size, bias=False)
            else:
                self.query = nn.Linear(decoder_size, decoder_size, bias=False)
                self.key = nn.Linear(encoder_size, decoder_size)
                self.energy = nn.Linear(decoder_size, 1, bias=False)

        def forward(self, d, e, source_lengths):
            if self.kind == "luong":
                scores = torch.bmm(d, self.key(e).transpose(1, 2))
            else:
                hidden = torch.tanh(self.query(d).unsqueeze(2) + self.key(e).unsqueeze(1))
                scores = self.energy(hidden).squeeze(-1)
            valid = torch.arange(e.shape[1]) < source_lengths[:, None]
            scores = scores.masked_fill(~valid[:, None, :], float("-inf"))
            weights = torch.softmax(scores, dim=-1)
            return torch.bmm(weights, e), weights

    class EncoderDecoderModule(nn.Module):
        """Source ids are positions in the estimator's ``source_tokens_``;
        target ids are 0 (start), 1 (end), then ``target_tokens_`` from 2.
        Batches are padded batch-first int64 tensors with their lengths."""

        def __init__(self, cell, source_vocabulary, target_vocabulary, hidden_size,
                     num_layers, bidirectional, source_embedding_dim, target_embedding_dim,
                     attention, dropout):
            super().__init__()
            self.cell, self.num_layers, self.bidirectional = cell, num_layers, bidirectional
            recurrent = getattr(nn, _CELLS[cell])
            options = dict(batch_first=True, dropout=dropout if num_layers > 1 else 0.0)
            if cell == "rnn_tanh":
                options["nonlinearity"] = "tanh"
            self.encoder_embedding = nn.Embedding(source_vocabulary, source_embedding_dim)
            self.encoder = recurrent(source_embedding_dim, hidden_size, num_layers,
                                     bidirectional=bidirectional, **options)
            self.decoder_embedding = nn.Embedding(target_vocabulary, target_embedding_dim)
            self.decoder = recurrent(target_embedding_dim, hidden_size, num_layers, **options)
            encoder_size = hidden_size * (2 if bidirectional else 1)
            if bidirectional:
                self.bridge = nn.Linear(encoder_size, hidden_size)
                if cell == "lstm":
                    self.bridge_cell = nn.Linear(encoder_size, hidden_size)
            self.has_attention = attention is not None
            if attention is not None:
                self.attention = Attention(attention, hidden_size, encoder_size)
                self.combine = nn.Linear(encoder_size + hidden_size, hidden_size, bias=False)
            self.output = nn.Linear(hidden_size, target_vocabulary)

        def _bridge(self, state, layer):
            if not self.bidirectional:
                return state
            layers = state.view(self.num_layers, 2, *state.shape[1:])
            return layer(torch.cat([layers[:, 0], layers[:, 1]], dim=-1))

        def encode(self, sources, source_lengths):
            """Encoder outputs (B, S, D_e) and the decoder's initial state."""
            packed = pack(self.encoder_embedding(sources), torch.as_tensor(source_lengths),
                          batch_first=True, enforce_sorted=False)
            outputs, state = self.encoder(packed)
            outputs, _ = unpack(outputs, batch_first=True, total_length=sources.shape[1])
            if self.cell == "lstm":
                state = (self._bridge(state[0], getattr(self, "bridge", None)),
                         self._bridge(state[1], getattr(self, "bridge_cell", None)))
            else:
                state = self._bridge(state, getattr(self, "bridge", None))
            return outputs, state

        def _top(self, decoded, encoded, source_lengths):
            if not self.has_attention:
                return decoded
            context, _ = self.attention(decoded, encoded, source_lengths)
            return torch.tanh(self.combine(torch.cat([context, decoded], dim=-1)))

        def forward(self, sources, source_lengths, decoder_inputs, target_lengths):
            """Scores (B, N, V) of every target token under teacher forcing:
            ``decoder_inputs`` are the start token then the target, of
            ``target_lengths`` real steps (target tokens + the end token)."""
            encoded, state = self.encode(sources, source_lengths)
            packed = pack(self.decoder_embedding(decoder_inputs), torch.as_tensor(target_lengths),
                          batch_first=True, enforce_sorted=False)
            decoded, _ = self.decoder(packed, state)
            decoded, _ = unpack(decoded, batch_first=True, total_length=decoder_inputs.shape[1])
            return self.output(self._top(decoded, encoded, torch.as_tensor(source_lengths)))

        def loss(self, sources, source_lengths, decoder_inputs, targets, target_lengths,
                 weights=None):
            """The estimator's training loss: cross-entropy over the real target
            steps, each weighted by its pair's weight, divided by the weighted
            count of real steps."""
            scores = self(sources, source_lengths, decoder_inputs, target_lengths)
            real = torch.arange(targets.shape[1]) < torch.as_tensor(target_lengths)[:, None]
            losses = nn.functional.cross_entropy(scores[real], targets[real], reduction="none")
            if weights is None:
                weights = torch.ones(len(targets), dtype=scores.dtype)
            step_weights = weights[:, None].expand(real.shape)[real]
            return (losses * step_weights).sum() / step_weights.sum()

        @torch.no_grad()
        def greedy(self, sources, source_lengths, max_length):
            """Greedy decoding of the batch, one token per step for every row
            until each has emitted the end token or ``max_length`` tokens;
            lists of ids without the end token (the start token is never
            emitted)."""
            source_lengths = torch.as_tensor(source_lengths)
            encoded, state = self.encode(sources, source_lengths)
            token = torch.full((len(sources), 1), START)
            produced, ended = [], torch.zeros(len(sources), dtype=torch.bool)
            for _ in range(max_length):
                decoded, state = self.decoder(self.decoder_embedding(token), state)
                scores = self.output(self._top(decoded, encoded, source_lengths))
                scores[..., START] = float("-inf")
                token = scores.argmax(dim=-1)
                produced.append(token[:, 0])
                ended |= token[:, 0] == END
                if bool(ended.all()):
                    break
            rows = torch.stack(produced, dim=1).tolist()
            return [row[:row.index(END)] if END in row else row for row in rows]

    return EncoderDecoderModule
