"""What the language-model parity checks share: a small fitted model, one
training window with carried (non-zero) states, rnnsk's loss and gradients of
that step, and (with torch) the same from autograd on the exported module.

Used by tests/test_language_model_parity.py and by the fixture script
tests/reference/make_lm_reference.py (which stores torch's answers so that the
check also runs without torch).
"""
import warnings

import numpy as np

from rnnsk import RecurrentLanguageModel

TEXT = ["the quick brown fox jumps over the lazy dog.",
        "pack my box with five dozen liquor jugs!", "", "sphinx of black quartz, judge my vow"]

CASES = [("lstm", False), ("lstm", True), ("gru", False), ("gru", True), ("rnn_tanh", False)]


def case_id(cell, tied):
    return f"{cell}-{'tied' if tied else 'untied'}"


def fitted_model(cell, tied):
    """A 2-layer model in float64 after one epoch (no dropout: the step is
    deterministic)."""
    lm = RecurrentLanguageModel(cell=cell, hidden_size=6, num_layers=2, tie_weights=tied,
                                dropout=0.0, bptt_steps=7, batch_size=3, max_iter=1,
                                dtype="float64", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lm.fit(TEXT)


def step_inputs(lm, seed=0):
    """One window of 3 streams (ids, targets, the last stream shorter) and
    initial states [h] or [h, c] of shape (layers, 3, H)."""
    rng = np.random.RandomState(seed)
    n_tokens = len(lm.tokens_)
    ids = rng.randint(n_tokens, size=(3, 7))
    targets = rng.randint(n_tokens, size=(3, 7))
    lengths = np.array([7, 7, 4])
    states = [rng.uniform(-0.5, 0.5, (2, 3, 6)) for _ in range(2 if lm.cell == "lstm" else 1)]
    return ids, targets, lengths, states


def rnnsk_step(lm, ids, targets, lengths, states):
    """Loss and gradients (state_dict names) of one training step of ``lm``."""
    from rnnsk._losses import PaddedSteps
    from rnnsk._validation import Sequences
    lm._carried = [[state.copy() for state in states]]
    loss = lm._forward_backward(Sequences(ids, lengths, False), PaddedSteps(targets, lengths),
                                np.ones(len(ids)))
    model = lm.model_
    # Sparse rows when untied; a dense table when the head shares it.
    embedding = model._embedding_gradient
    gradients = {"embedding.weight": (embedding.copy() if isinstance(embedding, np.ndarray)
                                      else embedding.to_dense())}
    gradients.update(("rnn." + name, value.copy())
                     for name, value in model.blocks[0].gradients.items())
    gradients.update((name, value.copy()) for name, value in model.head.gradients.items())
    return loss, gradients


def torch_step(lm, ids, targets, lengths, states):
    """The same step by autograd on ``rnnsk.to_torch(lm)`` (float64)."""
    import torch
    from rnnsk import to_torch
    module = to_torch(lm)
    loss = _torch_loss(torch, module, lm.cell, ids, targets, lengths, states)
    loss.backward()
    gradients = {name: parameter.grad.numpy().copy()
                 for name, parameter in module.named_parameters()}
    return loss.item(), gradients


def _torch_loss(torch, module, cell, ids, targets, lengths, states):
    """The mean cross-entropy over the real steps of the window."""
    x = module.embedding(torch.as_tensor(ids))
    initial = [torch.as_tensor(state) for state in states]
    output, _ = module.rnn(x, tuple(initial) if cell == "lstm" else initial[0])
    scores = module.head(output)
    real = torch.as_tensor(np.arange(ids.shape[1]) < lengths[:, None])
    return torch.nn.functional.cross_entropy(scores[real], torch.as_tensor(targets)[real])


def torch_log_likelihood(lm, documents):
    """Mean log-probability per token that the exported module gives to the
    documents, each read from the end token, its tokens and its end predicted."""
    import torch
    from rnnsk import to_torch
    module = to_torch(lm).eval()
    end = len(lm.tokens_) - 1
    total, count = 0.0, 0
    with torch.no_grad():
        for document in documents:
            ids = [lm.vocabulary_.get(t, 0) for t in document]
            rows = torch.as_tensor([[end] + ids])
            log_p = torch.log_softmax(module(rows)[0], dim=1)
            total += float(log_p[torch.arange(len(ids) + 1), torch.as_tensor(ids + [end])].sum())
            count += len(ids) + 1
    return total / count


def torch_step_with_dropped_weights(lm, ids, targets, lengths, states, masks):
    """torch_step with every W_hh multiplied by its scaled mask (weight
    dropout as AWD-LSTM's WeightDrop computes it), the gradient taken with
    respect to the unmasked weights."""
    import torch
    from rnnsk import to_torch
    module = to_torch(lm)
    raw = {name: getattr(module.rnn, name) for name in masks}
    for name in masks:
        del module.rnn._parameters[name]
        setattr(module.rnn, name, raw[name] * torch.as_tensor(masks[name]))
    module.rnn._flat_weights = [getattr(module.rnn, name)
                                for name in module.rnn._flat_weights_names]
    loss = _torch_loss(torch, module, lm.cell, ids, targets, lengths, states)
    loss.backward()
    return loss.item(), {name: raw[name].grad.numpy().copy() for name in masks}
