"""An independent PyTorch tagger (embedding or features, optional token bigrams
and character CNN or BiLSTM,
nn.LSTM/GRU/RNN over packed sequences, linear layer per step, softmax
cross-entropy or a CRF) for the parity tests, written from HEADS.md and the
docstrings of rnnsk's tagger, loaded with a tagger's state_dict.

Shared by tests/test_tagger_parity.py and tests/reference/make_tagger_reference.py.
"""
import numpy as np

from crf_reference import torch_crf_nll

# The parity cases: estimator parameters, and how the data are drawn.
CASES = {
    "lstm-bi-stacked-softmax-f64": dict(cell="lstm", num_layers=2, crf=False, dtype="float64",
                                        data="numeric"),
    "gru-bi-stacked-crf-f64": dict(cell="gru", num_layers=2, crf=True, dtype="float64",
                                   data="numeric"),
    "rnn_tanh-uni-crf-bmes-f64": dict(cell="rnn_tanh", num_layers=1, crf=True,
                                      bidirectional=False, forbidden_transitions="bmes",
                                      dtype="float64", data="bmes"),
    "lstm-bi-chars-crf-f64": dict(cell="lstm", num_layers=1, crf=True, dtype="float64",
                                  data="strings"),
    "gru-bi-bigrams-chars-crf-f64": dict(cell="gru", num_layers=1, crf=True, dtype="float64",
                                         data="strings", token_bigrams="next"),
    "lstm-bi-charlstm-softmax-f64": dict(cell="lstm", num_layers=1, crf=False, dtype="float64",
                                         data="strings", char_encoder="lstm"),
    "lstm-bi-stacked-softmax-f32": dict(cell="lstm", num_layers=2, crf=False, dtype="float32",
                                        data="numeric"),
    "gru-bi-stacked-crf-f32": dict(cell="gru", num_layers=2, crf=True, dtype="float32",
                                   data="numeric"),
    "lstm-bi-chars-softmax-f32": dict(cell="lstm", num_layers=1, crf=False, dtype="float32",
                                      data="strings"),
    "lstm-bi-both-bigrams-crf-f64": dict(cell="lstm", num_layers=1, crf=True, dtype="float64",
                                         data="strings", token_bigrams="both"),
    "gru-bi-both-bigrams-softmax-f32": dict(cell="gru", num_layers=1, crf=False,
                                            dtype="float32", data="strings",
                                            token_bigrams="both", char_encoder=None),
}
# Embedding ids per step: the token's, then its pairs' (see _tokens.py).
CHANNELS = {None: 1, "next": 2, "both": 3}


def case_data(kind, seed=0):
    """(X, y, sample_weight): ragged, one sequence of length 1."""
    rng = np.random.default_rng(seed)
    lengths = [6, 1, 4, 5, 2]
    if kind == "numeric":
        X = [rng.normal(size=(n, 3)) for n in lengths]
        y = [rng.integers(0, 3, n) for n in lengths]
    elif kind == "bmes":
        X = [rng.normal(size=(n, 3)) for n in lengths]
        words = {1: "s", 2: "be", 3: "bme", 4: "bmme"}
        y = []
        for n in lengths:
            tags = ""
            while len(tags) < n:
                tags += words[min(n - len(tags), int(rng.integers(1, 4)))]
            y.append(np.array(list(tags)))
    else:
        vocabulary = ["the", "cat", "sat", "on", "a", "mat", "dogs", "run"]
        X = [[vocabulary[i] for i in rng.integers(0, len(vocabulary), n)] for n in lengths]
        X[2][1] = "zebra!"  # seen once: its characters partly unseen elsewhere
        y = [rng.integers(0, 3, n) for n in lengths]
    weights = rng.uniform(0.5, 2.0, len(lengths))
    return X, y, weights


def estimator_params(case):
    params = {k: v for k, v in case.items() if k != "data"}
    params.setdefault("bidirectional", True)
    params.setdefault("token_bigrams", None)
    # Raw inputs, as the torch model reads them (standardize is tested on its own).
    return dict(params, hidden_size=4, max_iter=1, random_state=0, alpha=0.0, dropout=0.0,
                embedding_dropout=0.0, standardize=False,
                embedding_dim=3 if case["data"] == "strings" else None, char_features=2)


def torch_tagger(torch, state, case, inputs):
    """The torch model with weights ``state`` on padded ``inputs`` (dict of
    data, lengths, tags, weights): the top layer's outputs (B, T, D), the
    per-step scores (B, T, K), the loss and every gradient ("grad/<name>")."""
    dtype = torch.float64 if case["dtype"] == "float64" else torch.float32
    tensors = {name: torch.tensor(np.asarray(value), dtype=dtype, requires_grad=True)
               for name, value in state.items()}
    lengths = torch.as_tensor(inputs["lengths"])
    steps = int(lengths.max())
    real = torch.arange(steps)[None, :] < lengths[:, None]
    data = torch.as_tensor(inputs["data"])
    if case["data"] == "strings":
        # Per step: the token's id, its pairs' ids with bigrams (the same
        # table), then the characters' ids; the embeddings are concatenated.
        channels = CHANNELS[case.get("token_bigrams")]
        x = tensors["embedding.weight"][data[..., :channels]].flatten(2)
        if case.get("char_encoder", "cnn") is not None:
            chars = data[..., channels:]
            table = tensors["char_embedding.weight"] * (torch.arange(len(
                tensors["char_embedding.weight"]))[:, None] != 0)  # padding_idx 0 stays zero
            if case.get("char_encoder") == "lstm":
                word, char_lstm = _char_lstm(torch, state, dtype, table, chars, real)
                for name in [name for name in tensors if name.startswith("char_lstm.")]:
                    del tensors[name]
            else:
                word = _char_cnn(torch, tensors, dtype, table, chars)
            x = torch.cat([x, torch.where(real[..., None], word, torch.zeros_like(word))],
                          dim=2)
    else:
        x = data.to(dtype)
    kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn_tanh": torch.nn.RNN}[case["cell"]]
    bidirectional = case.get("bidirectional", True)
    rnn = kind(x.shape[2], 4, case["num_layers"], batch_first=True,
               bidirectional=bidirectional).to(dtype)
    rnn.load_state_dict({name[4:]: torch.tensor(np.asarray(value), dtype=dtype)
                         for name, value in state.items() if name.startswith("rnn.")})
    for name in [name for name in tensors if name.startswith("rnn.")]:
        del tensors[name]
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                     enforce_sorted=False)
    out, _ = rnn(packed)
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=steps)
    out.retain_grad()
    scores = out @ tensors["head.weight"].T + tensors["head.bias"]
    tags = torch.as_tensor(inputs["tags"])
    weights = torch.as_tensor(inputs["weights"], dtype=torch.float64)
    if case["crf"]:
        nll = torch_crf_nll(torch, scores, lengths, tags, tensors["crf.transitions"],
                            tensors["crf.start"], tensors["crf.end"])
        loss = (nll * weights.to(dtype)).sum() / weights.sum()
    else:
        log_p = torch.log_softmax(scores, dim=2)
        picked = -log_p.gather(2, torch.where(real, tags, 0)[..., None])[..., 0]
        step_weights = (weights[:, None] * real).to(dtype)
        loss = (picked * step_weights).sum() / step_weights.sum()
    loss.backward()
    gradients = {name: tensor.grad.numpy() if tensor.grad is not None
                 else np.zeros(tensor.shape) for name, tensor in tensors.items()}
    gradients.update(("rnn." + name, value.grad.numpy())
                     for name, value in rnn.named_parameters())
    if case.get("char_encoder") == "lstm":
        gradients.update(("char_lstm." + name, value.grad.numpy())
                         for name, value in char_lstm.named_parameters())
    for name in ("crf.transitions", "crf.start", "crf.end"):
        if name in gradients:
            gradients[name] = np.where(np.isfinite(state[name]), gradients[name], 0.0)
    return dict(outputs=out.detach().numpy(), scores=scores.detach().numpy(),
                loss=np.array(float(loss.detach())),
                **{"grad/" + k: v for k, v in gradients.items()})


def _char_cnn(torch, tensors, dtype, table, chars):
    """Each token's vector (B, T, F): the maximum over its characters of a
    width-3 convolution (Ma & Hovy 2016)."""
    embedded = table[chars]  # (B, T, C, F)
    b, t, c, f = embedded.shape
    conv = torch.nn.functional.conv1d(embedded.reshape(b * t, c, f).transpose(1, 2),
                                      tensors["char_conv.weight"],
                                      tensors["char_conv.bias"], padding=1)
    conv = conv.transpose(1, 2).reshape(b, t, c, -1)
    conv = torch.where((chars != 0)[..., None], conv, torch.tensor(-np.inf, dtype=dtype))
    return conv.max(dim=2).values


def _char_lstm(torch, state, dtype, table, chars, real):
    """Each token's vector (B, T, 2F): the final states of a BiLSTM over its
    characters (Lample et al. 2016), forward then backward; and the LSTM."""
    size = table.shape[1]
    lstm = torch.nn.LSTM(size, size, batch_first=True, bidirectional=True).to(dtype)
    lstm.load_state_dict({name[len("char_lstm."):]: torch.tensor(np.asarray(value), dtype=dtype)
                          for name, value in state.items() if name.startswith("char_lstm.")})
    words = chars[real]  # (N, C), the real tokens only
    packed = torch.nn.utils.rnn.pack_padded_sequence(table[words], (words != 0).sum(dim=1),
                                                     batch_first=True, enforce_sorted=False)
    _, (h_n, _) = lstm(packed)
    vectors = torch.zeros(chars.shape[:2] + (2 * size,), dtype=dtype)
    vectors[real] = torch.cat([h_n[0], h_n[1]], dim=1)
    return vectors, lstm
