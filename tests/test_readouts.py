"""The readouts (last, mean, max, attention) against PyTorch: each on its own
(live, and replayed from stored answers without torch), and whole models for
every init x readout, ragged and bidirectional: gradients, predict_proba of
to_torch's module."""
import os

import numpy as np
import pytest
from scipy.special import softmax

from estimator_data import fast, ragged
from rnnsk import RecurrentClassifier, RecurrentRegressor, to_torch
from rnnsk._heads import TopLayer
from rnnsk._readouts import READOUTS, make_readout

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "readout_reference.npz")
TOLERANCE = {"float64": 1e-9, "float32": 1e-5}
INITS = ("pytorch", "orthogonal")


def readout_with(name, parameters, features, dtype):
    readout = make_readout(name, features, np.random.RandomState(0), np.dtype(dtype),
                           "pytorch")
    for key, value in parameters.items():
        readout.parameters[key][...] = value
    return readout


def run_readout(name, case, dtype):
    """rnnsk's summary and gradients for one stored or live case."""
    parameters = {key[len("param/"):]: value for key, value in case.items()
                  if key.startswith("param/")}
    readout = readout_with(name, parameters, case["outputs"].shape[2], dtype)
    top = TopLayer(case["outputs"] if readout.reads_outputs else None, case["final"],
                   case["lengths"])
    summary = readout.forward(top, training=True)
    d_outputs, d_final = readout.backward(case["d_summary"])
    answer = {"summary": summary,
              "d_outputs": np.zeros_like(case["outputs"]) if d_outputs is None else d_outputs,
              "d_final": np.zeros_like(case["final"]) if d_final is None else d_final}
    answer.update({f"grad/{key}": value for key, value in readout.gradients.items()})
    return answer


def assert_answers_match(actual, expected, dtype):
    assert set(actual) == set(expected)
    for key, value in expected.items():
        scale = max(1.0, float(np.abs(value).max()))
        np.testing.assert_allclose(actual[key], value, rtol=0, atol=TOLERANCE[dtype] * scale,
                                   err_msg=key)


def stored_cases():
    cases = {}
    with np.load(FIXTURE) as data:
        for key in data.files:
            case, group, rest = key.split("/", 2)
            cases.setdefault(case, {}).setdefault(group, {})[rest] = data[key]
    return cases


STORED = stored_cases()


def test_stored_answers_cover_every_readout_and_precision():
    found = {(str(case["meta"]["readout"]), str(case["meta"]["dtype"]))
             for case in STORED.values()}
    assert found == {(r, d) for r in READOUTS for d in TOLERANCE}


@pytest.mark.parametrize("key", sorted(STORED))
def test_readout_matches_stored_torch_answer(key):
    case = STORED[key]
    name, dtype = str(case["meta"]["readout"]), str(case["meta"]["dtype"])
    assert_answers_match(run_readout(name, case["input"], dtype), case["expected"], dtype)


@pytest.mark.parametrize("dtype", list(TOLERANCE))
@pytest.mark.parametrize("name", READOUTS)
def test_readout_matches_live_torch(name, dtype):
    pytest.importorskip("torch")
    from readout_reference import readout_answer, readout_case
    case = readout_case(name, dtype, seed=7)
    parameters = {key[len("param/"):]: value for key, value in case.items()
                  if key.startswith("param/")}
    expected = readout_answer(name, case["outputs"], case["final"], case["lengths"],
                              parameters, case["d_summary"])
    assert_answers_match(run_readout(name, case, dtype), expected, dtype)


def test_max_readout_sends_the_gradient_to_the_first_maximum():
    outputs = np.array([[[1.0], [3.0], [3.0], [9.0]]])
    readout = make_readout("max", 1, np.random.RandomState(0), np.dtype("float64"),
                           "pytorch")
    top = TopLayer(outputs, outputs[:, 0], np.array([3]))
    assert readout.forward(top, training=True)[0, 0] == 3.0
    d_outputs, _ = readout.backward(np.array([[2.0]]))
    np.testing.assert_array_equal(d_outputs[0, :, 0], [0.0, 2.0, 0.0, 0.0])


@pytest.mark.parametrize("steps", [1, 4, 255, 256, 300])
def test_max_readout_picks_numpys_argmax_among_ties_and_non_finite_values(steps):
    # Saturated units hold their largest value (1.0) at many steps; the readout
    # must pick the first, and stop at the first NaN, as np.argmax does.
    rng = np.random.default_rng(steps)
    outputs = np.minimum(rng.standard_normal((6, steps, 5)), 1.0).astype(np.float32)
    outputs[1, steps // 2, 2] = np.inf
    outputs[2, :, 0] = -np.inf
    outputs[3, steps - 1, 4] = np.nan
    outputs[3, 0, 4] = np.nan
    lengths = np.array([steps, steps, steps, steps, max(1, steps // 3), 1])
    readout = make_readout("max", 5, np.random.RandomState(0), np.dtype("float32"), "pytorch")
    summary = readout.forward(TopLayer(outputs, outputs[:, 0], lengths), training=True)
    masked = np.where(np.arange(steps)[:, None] < lengths[:, None, None], outputs, -np.inf)
    first = np.argmax(masked, axis=1)
    np.testing.assert_array_equal(summary, np.take_along_axis(outputs, first[:, None], 1)[:, 0])
    d_outputs, _ = readout.backward(np.ones((6, 5), np.float32))
    np.testing.assert_array_equal(np.argmax(d_outputs, axis=1), first)


def test_max_pooling_refuses_lengths_outside_the_steps():
    from rnnsk._network import _core
    values = np.zeros((2, 3, 4), np.float32)
    for lengths in ([1, 4], [0, 3]):
        with pytest.raises(ValueError, match="outside \\[1, 3\\]"):
            _core.first_largest_steps(values, np.array(lengths, np.int64))


def model_gradients_against_torch(clf, X, dtype):
    """rnnsk's parameter gradients for d(scores) = a fixed random matrix, next
    to torch autograd's through an independent reference of the same model."""
    import torch
    from readout_reference import summarise
    from test_torch_interop import padded
    from rnnsk._validation import check_sequences

    model = clf.model_
    sequences = check_sequences(X, dtype=np.dtype(dtype))
    scores = model.forward(sequences, training=True)
    d_scores = np.random.default_rng(3).standard_normal(scores.shape).astype(dtype)
    model.backward(d_scores)
    actual = {}
    for block in model.blocks:
        actual.update({f"rnn.{k}": v.copy() for k, v in block.gradients.items()})
    actual.update({k: v.copy() for k, v in model.head.gradients.items()})

    state = {name: torch.tensor(value, requires_grad=True)
             for name, value in model.state_dict().items()}
    block = model.blocks[0]
    kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}.get(block.cell, torch.nn.RNN)
    rnn = kind(block.input_size, block.hidden_size, batch_first=True,
               bidirectional=block.bidirectional).to(getattr(torch, dtype))
    batch, lengths = padded(X)
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        torch.tensor(batch.astype(dtype)), torch.tensor(lengths), batch_first=True,
        enforce_sorted=False)
    weights = {name[len("rnn."):]: state[name] for name in state if name.startswith("rnn.")}
    output, h_n = torch.func.functional_call(rnn, weights, (packed,))
    h_n = h_n[0] if isinstance(h_n, tuple) else h_n
    outputs, _ = torch.nn.utils.rnn.pad_packed_sequence(output, batch_first=True)
    final = torch.cat(list(h_n[-block.num_directions:]), dim=1)
    summary = summarise(clf.readout, outputs, final, lengths, state)
    torch_scores = summary @ state["head.weight"].T + state["head.bias"]
    np.testing.assert_allclose(torch_scores.detach().numpy(), scores, rtol=0,
                               atol=TOLERANCE[dtype])
    (torch_scores * torch.tensor(d_scores)).sum().backward()
    return actual, {name: tensor.grad.numpy() for name, tensor in state.items()}


@pytest.mark.parametrize("dtype", list(TOLERANCE))
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("readout", READOUTS)
@pytest.mark.parametrize("init", INITS)
def test_model_gradients_match_torch(init, readout, bidirectional, dtype):
    pytest.importorskip("torch")
    X, y, _ = ragged(n=12, min_length=1, max_length=6)
    X[0] = X[0][:1]
    cell = "gru" if bidirectional else "lstm"
    # The model reads X itself (no sequence statistics beside it), as the reference.
    clf = RecurrentClassifier(**fast(cell=cell, dtype=dtype, max_iter=2, init=init,
                                     readout=readout, bidirectional=bidirectional,
                                     sequence_standardize=False)).fit(X, y)
    actual, expected = model_gradients_against_torch(clf, X, dtype)
    assert set(actual) == set(expected)
    for name, value in expected.items():
        scale = max(1.0, float(np.abs(value).max()))
        np.testing.assert_allclose(actual[name], value, rtol=0, atol=TOLERANCE[dtype] * scale,
                                   err_msg=name)


@pytest.mark.parametrize("dtype", list(TOLERANCE))
@pytest.mark.parametrize("readout", READOUTS)
@pytest.mark.parametrize("init", INITS)
def test_to_torch_reproduces_predict_proba(init, readout, dtype):
    pytest.importorskip("torch")
    from test_torch_interop import module_outputs
    X, y, _ = ragged(n=30, min_length=1)
    X = [x * 100.0 + 300.0 for x in X]  # raw units: the standardization is folded in
    clf = RecurrentClassifier(**fast(cell="gru", dtype=dtype, init=init, readout=readout,
                                     standardize=True, hidden_size=(6, 5)),
                              bidirectional=True).fit(X, y)
    module = to_torch(clf)
    assert list(module.state_dict()) == list(clf.state_dict())
    proba = softmax(module_outputs(module, X, dtype).astype(np.float64), axis=1)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=0, atol=TOLERANCE[dtype])


@pytest.mark.parametrize("readout", READOUTS)
def test_regressor_readout_state_dict_round_trip(readout):
    X, y, _ = ragged(n=30)
    reg = RecurrentRegressor(**fast(dtype="float64", readout=readout)).fit(X, 10.0 * y)
    before = reg.predict(X)
    names = set(reg.state_dict())
    assert ({"readout.weight", "readout.bias", "readout.context"} <= names) == (
        readout == "attention")
    reg.load_state_dict(reg.state_dict())
    np.testing.assert_allclose(reg.predict(X), before, rtol=1e-12)
