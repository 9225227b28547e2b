"""EncoderDecoder against an independent PyTorch implementation, the module of
rnnsk.to_torch (rnnsk/_seq2seq_torch.py, torch layers and autograd): the
teacher-forced loss and every gradient (embeddings, encoder, bridge, decoder,
attention, output layer) on ragged batches with a length-1 source and a length-1
target, in float64 (1e-9) and float32 (1e-5); the fitted estimator's greedy output
and training loss through to_torch."""
import numpy as np
import pytest

from seq2seq_helpers import (assert_close, config_id, make_config, make_inputs, make_model,
                             run_rnnsk, run_torch)

torch = pytest.importorskip("torch")

CONFIGS = [make_config(cell, attention=attention, bidirectional=bidirectional,
                       num_layers=layers, dtype=dtype)
           for cell, attention, bidirectional, layers in [
               ("lstm", "luong", False, 1), ("lstm", "bahdanau", True, 2),
               ("lstm", None, True, 1), ("gru", "luong", True, 1),
               ("gru", "bahdanau", False, 2), ("gru", None, False, 1),
               ("rnn_tanh", "luong", False, 2), ("rnn_tanh", "bahdanau", True, 1)]
           for dtype in ("float64", "float32")]


@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_loss_and_every_gradient_match_torch(config):
    model = make_model(config)
    inputs = make_inputs(config)
    state = model.state_dict()
    loss, gradients = run_rnnsk(model, inputs)
    torch.set_num_threads(1)
    expected_loss, expected = run_torch(config, state, inputs)
    assert sorted(gradients) == sorted(expected) == sorted(state)
    assert_close(loss, expected_loss, config["dtype"], "loss")
    for name in sorted(expected):
        assert gradients[name].dtype == np.dtype(config["dtype"])
        assert_close(gradients[name], expected[name], config["dtype"], name)


@pytest.mark.parametrize("attention", ["luong", "bahdanau", None])
def test_to_torch_reproduces_predict_and_the_training_loss(attention):
    from rnnsk import EncoderDecoder, to_torch
    from rnnsk._losses import cross_entropy, per_step
    from rnnsk._seq2seq import _decoder_inputs, _padded_targets
    rng = np.random.RandomState(0)
    X = ["".join(rng.choice(list("abcde"), rng.randint(1, 7))) for _ in range(60)]
    Y = [x[::-1] for x in X]
    weights = rng.uniform(0.5, 2.0, len(X))
    model = EncoderDecoder(hidden_size=16, embedding_dim=8, attention=attention,
                           bidirectional=attention == "bahdanau", max_iter=5, dtype="float64",
                           random_state=0).fit(X, Y)
    module = to_torch(model)
    assert sorted(module.state_dict()) == sorted(model.state_dict())
    # The ids of the user guide: sources index source_tokens_, targets
    # target_tokens_ from 2 (0 start, 1 end).
    sources = [[model.source_tokens_.index(t) for t in x] for x in X]
    lengths = np.array([len(s) for s in sources])
    padded = np.array([s + [0] * (lengths.max() - len(s)) for s in sources])
    greedy = module.greedy(torch.from_numpy(padded), torch.from_numpy(lengths),
                           model.max_output_length_)
    assert model.predict(X) == ["".join(model.target_tokens_[i - 2] for i in ids)
                                for ids in greedy]
    assert any(len(ids) > 0 for ids in greedy)

    targets = _padded_targets([np.array([model.target_tokens_.index(t) + 2 for t in y])
                               for y in Y])
    arrays = (padded, lengths, _decoder_inputs(targets), targets.values, targets.lengths)
    loss = module.loss(*(torch.from_numpy(a) for a in arrays), torch.from_numpy(weights))
    scores = model.model_.forward(model._validate_sequences(X, reset=False),
                                  _decoder_inputs(targets), targets.lengths)
    expected, _ = per_step(cross_entropy, scores, targets, weights)
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-10)
