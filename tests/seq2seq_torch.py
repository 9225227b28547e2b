"""An independent PyTorch implementation of the encoder-decoder of HEADS.md
("Encoder–decoder with attention"), with the parameter names of
``EncoderDecoder.state_dict()``: the reference of the parity tests and the
documented torch counterpart of the estimator (its loss and greedy output).

Written from the definitions with torch's own modules (nn.Embedding, nn.LSTM /
GRU / RNN on packed sequences, nn.Linear) and autograd; it shares no code
with rnnsk.
"""
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

START, END = 0, 1
_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN}


class _Attention(nn.Module):
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


class TorchEncoderDecoder(nn.Module):
    def __init__(self, cell, source_vocabulary, target_vocabulary, hidden_size, num_layers,
                 bidirectional, source_embedding_dim, target_embedding_dim, attention):
        super().__init__()
        self.cell, self.num_layers, self.bidirectional = cell, num_layers, bidirectional
        extra = {"nonlinearity": "tanh"} if cell == "rnn_tanh" else {}
        self.encoder_embedding = nn.Embedding(source_vocabulary, source_embedding_dim)
        self.encoder = _CELLS[cell](source_embedding_dim, hidden_size, num_layers,
                                    batch_first=True, bidirectional=bidirectional, **extra)
        self.decoder_embedding = nn.Embedding(target_vocabulary, target_embedding_dim)
        self.decoder = _CELLS[cell](target_embedding_dim, hidden_size, num_layers,
                                    batch_first=True, **extra)
        encoder_size = hidden_size * (2 if bidirectional else 1)
        if bidirectional:
            self.bridge = nn.Linear(encoder_size, hidden_size)
            if cell == "lstm":
                self.bridge_cell = nn.Linear(encoder_size, hidden_size)
        self.has_attention = attention is not None
        if attention is not None:
            self.attention = _Attention(attention, hidden_size, encoder_size)
            self.combine = nn.Linear(encoder_size + hidden_size, hidden_size, bias=False)
        self.output = nn.Linear(hidden_size, target_vocabulary)

    def _bridge(self, state, layer):
        if not self.bidirectional:
            return state
        layers = state.view(self.num_layers, 2, *state.shape[1:])
        return layer(torch.cat([layers[:, 0], layers[:, 1]], dim=-1))

    def encode(self, sources, source_lengths):
        packed = pack_padded_sequence(self.encoder_embedding(sources), source_lengths,
                                      batch_first=True, enforce_sorted=False)
        outputs, state = self.encoder(packed)
        outputs, _ = pad_packed_sequence(outputs, batch_first=True,
                                         total_length=sources.shape[1])
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
        """Scores (B, N, V) under teacher forcing."""
        encoded, state = self.encode(sources, source_lengths)
        packed = pack_padded_sequence(self.decoder_embedding(decoder_inputs), target_lengths,
                                      batch_first=True, enforce_sorted=False)
        decoded, _ = self.decoder(packed, state)
        decoded, _ = pad_packed_sequence(decoded, batch_first=True,
                                         total_length=decoder_inputs.shape[1])
        return self.output(self._top(decoded, encoded, source_lengths))

    def loss(self, sources, source_lengths, decoder_inputs, targets, target_lengths, weights):
        """Cross-entropy over the real target steps, each weighted by its
        sequence's weight, divided by the weighted count of real steps."""
        scores = self(sources, source_lengths, decoder_inputs, target_lengths)
        real = torch.arange(targets.shape[1]) < target_lengths[:, None]
        losses = nn.functional.cross_entropy(scores[real], targets[real], reduction="none")
        step_weights = weights[:, None].expand(real.shape)[real]
        return (losses * step_weights).sum() / step_weights.sum()

    @torch.no_grad()
    def greedy(self, sources, source_lengths, max_length):
        """Greedy decoding, one sequence at a time (the loop a torch user
        writes); lists of ids without the end token."""
        results = []
        for i in range(len(sources)):
            length = int(source_lengths[i])
            encoded, state = self.encode(sources[i:i + 1, :length], source_lengths[i:i + 1])
            token = torch.tensor([[START]])
            produced = []
            for _ in range(max_length):
                decoded, state = self.decoder(self.decoder_embedding(token), state)
                scores = self.output(self._top(decoded, encoded, source_lengths[i:i + 1]))
                scores[..., START] = float("-inf")
                token = scores.argmax(dim=-1)
                if int(token) == END:
                    break
                produced.append(int(token))
            results.append(produced)
        return results


    @torch.no_grad()
    def greedy_batched(self, sources, source_lengths, max_length):
        """Greedy decoding of the whole batch one token per step until every
        output has ended (the batched loop); lists of ids without the end
        token."""
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


def build(config, state):
    """The torch model of ``config`` (seq2seq_helpers) holding ``state``."""
    model = TorchEncoderDecoder(
        config["cell"], config["source_vocabulary"], config["target_vocabulary"],
        config["hidden_size"], config["num_layers"], config["bidirectional"],
        config["source_embedding_dim"], config["target_embedding_dim"], config["attention"])
    dtype = torch.float64 if config["dtype"] == "float64" else torch.float32
    model.to(dtype)
    model.load_state_dict({name: torch.from_numpy(value.copy()) for name, value in
                           state.items()})
    return model


def run_torch(config, state, inputs):
    """Loss and {name: gradient} of the same minibatch in torch."""
    model = build(config, state)
    dtype = next(model.parameters()).dtype
    loss = model.loss(*(torch.from_numpy(inputs[name]) for name in
                        ("sources", "source_lengths", "decoder_inputs", "targets",
                         "target_lengths")),
                      torch.from_numpy(inputs["weights"]).to(dtype))
    loss.backward()
    return float(loss.detach()), {name: p.grad.numpy() for name, p in model.named_parameters()}
