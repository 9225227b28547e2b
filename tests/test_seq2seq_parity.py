"""EncoderDecoder against an independent PyTorch implementation (tests/seq2seq_torch.py):
the teacher-forced loss and every gradient (embeddings, encoder, bridge, decoder,
attention, output layer) on ragged batches with a length-1 source and a length-1
target, in float64 (1e-9) and float32 (1e-5); the estimator's greedy output."""
import numpy as np
import pytest

from seq2seq_helpers import (assert_close, config_id, make_config, make_inputs, make_model,
                             run_rnnsk)

torch = pytest.importorskip("torch")
from seq2seq_torch import build, run_torch  # noqa: E402

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
def test_greedy_output_of_the_estimator_matches_torch(attention):
    from rnnsk import EncoderDecoder
    rng = np.random.RandomState(0)
    X = ["".join(rng.choice(list("abcde"), rng.randint(1, 7))) for _ in range(60)]
    Y = [x[::-1] for x in X]
    model = EncoderDecoder(hidden_size=16, embedding_dim=8, attention=attention,
                           bidirectional=attention == "bahdanau", max_iter=5, dtype="float64",
                           random_state=0).fit(X, Y)
    config = make_config(model.cell, attention=attention, bidirectional=model.bidirectional,
                         hidden_size=16, source_embedding_dim=8, target_embedding_dim=8,
                         source_vocabulary=len(model.source_tokens_),
                         target_vocabulary=len(model.target_tokens_) + 2)
    reference = build(config, model.state_dict())
    sources = model._validate_sequences(X, reset=False)
    expected = reference.greedy(torch.from_numpy(sources.data),
                                torch.from_numpy(sources.lengths), model.max_output_length_)
    predicted = model.predict(X)
    decoded = ["".join(model.target_tokens_[i - 2] for i in ids) for ids in expected]
    assert predicted == decoded
