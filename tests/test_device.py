"""The device backend: choosing a device, the errors without one, and the whole
device path of the estimators.

Without a GPU the device path runs on the host emulator of the CUDA backend's
algorithm (the ``emulated_gpu`` fixture): the same C++ network, optimizer and
transfers, with host memory and the CPU's BLAS standing in for CUDA kernels and
cuBLAS. Its parity with PyTorch is in test_parity_stored.py, its optimizer
against the published formulas in test_optimizer_formulas.py. Tests marked by
``needs_gpu`` run on a real GPU only, and are skipped cleanly elsewhere.
"""
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from estimator_data import multiclass_3d, ragged
from rnnsk import (GRUClassifier, LSTMRegressor, RecurrentClassifier, RecurrentNetwork,
                   RNNRegressor, cuda_device_count)
from rnnsk._device import check_device

needs_gpu = pytest.mark.skipif(cuda_device_count() == 0,
                               reason="no CUDA GPU (or rnnsk built without CUDA)")
no_gpu = pytest.mark.skipif(cuda_device_count() > 0, reason="a CUDA GPU is present")

# Training settings that touch every part of a step: several blocks, both
# directions, dropout between layers and blocks, L2, clipping.
RICH = dict(hidden_size=(6, 6, 5), bidirectional=True, dropout=0.2, alpha=1e-3,
            max_grad_norm=0.5, max_iter=3, random_state=0, learning_rate_init=0.01)


@pytest.mark.parametrize("device, canonical", [("cpu", "cpu"), ("cuda", "cuda:0"),
                                               ("cuda:0", "cuda:0"), ("cuda:3", "cuda:3")])
def test_device_names(device, canonical):
    assert check_device(device) == canonical


@pytest.mark.parametrize("device, error", [("gpu", ValueError), ("cuda:", ValueError),
                                           ("cuda:-1", ValueError), ("CUDA", ValueError),
                                           (0, TypeError), (None, TypeError)])
def test_bad_device_names_are_refused(device, error):
    with pytest.raises(error, match="device"):
        check_device(device)
    with pytest.raises(error, match="device"):
        RecurrentNetwork("gru", 2, 3, device=device)


def test_estimator_with_a_bad_device_name_is_left_unfitted():
    X, y = multiclass_3d(n=20)
    clf = GRUClassifier(hidden_size=4, max_iter=1, device="tpu")
    with pytest.raises(ValueError, match="'cpu', 'cuda' or 'cuda:N'"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


@no_gpu
def test_without_a_gpu_asking_for_one_says_why():
    assert cuda_device_count() == 0
    with pytest.raises(RuntimeError, match="CUDA|GPU"):
        RecurrentNetwork("lstm", 2, 3, device="cuda")
    X, y = multiclass_3d(n=20)
    clf = GRUClassifier(hidden_size=4, max_iter=1, device="cuda")
    with pytest.raises(RuntimeError, match="device='cpu'"):
        clf.fit(X, y)
    # Nothing of the estimator changed.
    assert not any(name.endswith("_") and not name.startswith("_") for name in vars(clf))
    clf.set_params(device="cpu").fit(X, y)


@no_gpu
def test_a_cpu_fit_refuses_to_move_to_a_missing_gpu_and_keeps_working():
    X, y = multiclass_3d(n=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = GRUClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    clf.set_params(device="cuda")
    with pytest.raises(RuntimeError, match="CUDA|GPU"):
        clf.predict(X)
    clf.set_params(device="cpu")
    np.testing.assert_array_equal(clf.predict_proba(X), expected)


def fit_quietly(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 1e-5)])
def test_device_training_matches_cpu_training(emulated_gpu, solver, dtype, tolerance):
    X, y = multiclass_3d(n=48)
    settings = dict(RICH, solver=solver, dtype=dtype)
    cpu = fit_quietly(RecurrentClassifier(cell="lstm", **settings), X, y)
    gpu = fit_quietly(RecurrentClassifier(cell="lstm", device="cuda", **settings), X, y)
    np.testing.assert_allclose(gpu.loss_curve_, cpu.loss_curve_, rtol=tolerance)
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), rtol=tolerance,
                               atol=tolerance)
    cpu_state, gpu_state = cpu.state_dict(), gpu.state_dict()
    assert cpu_state.keys() == gpu_state.keys()
    for name in cpu_state:
        np.testing.assert_allclose(gpu_state[name], cpu_state[name], rtol=tolerance,
                                   atol=tolerance, err_msg=name)


def test_device_regressor_with_ragged_sequences_and_early_stopping(emulated_gpu):
    X, _, lengths = ragged(n=60)
    y = np.array([x[:, 0].sum() for x in X])
    settings = dict(hidden_size=6, max_iter=6, early_stopping=True, validation_fraction=0.2,
                    n_iter_no_change=2, random_state=0, dtype="float64")
    cpu = fit_quietly(LSTMRegressor(**settings), X, y)
    gpu = fit_quietly(LSTMRegressor(device="cuda:0", **settings), X, y)
    assert gpu.n_iter_ == cpu.n_iter_
    np.testing.assert_allclose(gpu.validation_scores_, cpu.validation_scores_, rtol=1e-10)
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-10, atol=1e-12)


def test_device_weights_live_on_the_device(emulated_gpu):
    X, y = multiclass_3d(n=30)
    clf = fit_quietly(GRUClassifier(hidden_size=5, max_iter=2, random_state=0,
                                    device="cuda"), X, y)
    (block,) = clf.model_.blocks
    assert block.device == "cuda:0"
    # Reading gives a read-only host copy; assigning uploads.
    before = block.flat_parameters
    assert isinstance(before, np.ndarray) and before.shape == (block.flat_parameters.size,)
    assert not before.flags.writeable
    assert not block.parameters["weight_hh_l0"].flags.writeable
    copy = before.copy()
    copy[:] = 0  # a copy: the device is untouched
    assert np.any(block.flat_parameters != 0)
    block.flat_parameters = copy
    assert not np.any(block.parameters["weight_hh_l0"])
    # Changing part of the vector keeps the rest.
    values = block.flat_parameters.copy()
    values[[0, 2]] = 1.0
    block.flat_parameters = values
    values = block.flat_parameters
    assert values[0] == values[2] == 1.0 and not np.any(values[[1]]) and not np.any(values[3:])


def test_pickled_device_model_continues_training_identically(emulated_gpu):
    X, y = multiclass_3d(n=40)
    clf = fit_quietly(GRUClassifier(hidden_size=5, max_iter=2, random_state=0,
                                    device="cuda", dtype="float64"), X, y)
    copy = pickle.loads(pickle.dumps(clf))
    assert copy.model_.blocks[0].device == "cuda:0"
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    # The Adam moments kept on the device travelled with the pickle.
    clf.partial_fit(X, y)
    copy.partial_fit(X, y)
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))


def test_changing_device_moves_the_fitted_model(emulated_gpu):
    X, y = multiclass_3d(n=40)
    clf = fit_quietly(GRUClassifier(hidden_size=5, max_iter=2, random_state=0,
                                    device="cuda", dtype="float64"), X, y)
    on_gpu = clf.predict_proba(X)
    clf.set_params(device="cpu")
    np.testing.assert_allclose(clf.predict_proba(X), on_gpu, rtol=1e-12)
    assert clf.model_.blocks[0].device == "cpu"
    clf.partial_fit(X, y)  # trains on, on the CPU, with fresh optimizer moments
    assert clf.n_iter_ == 3
    assert clone(clf).get_params()["device"] == "cpu"


def test_network_moves_between_devices(emulated_gpu):
    net = RecurrentNetwork("lstm", 3, 4, num_layers=2, dtype=np.float64, random_state=0)
    X = np.random.default_rng(0).standard_normal((5, 7, 3))
    on_gpu = net.to_device("cuda")
    assert on_gpu is not net and on_gpu.device == "cuda:0"
    assert net.to_device("cpu") is net
    for cpu_result, gpu_result in zip(net.forward(X), on_gpu.forward(X)):
        np.testing.assert_allclose(gpu_result, cpu_result, rtol=1e-12)
    assert "device='cuda:0'" in repr(on_gpu)


def test_regressor_on_device_with_sample_weights(emulated_gpu):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 5, 2))
    y = X[:, :, 1].mean(axis=1)
    weights = rng.uniform(0.5, 2.0, 40)
    settings = dict(hidden_size=4, max_iter=3, random_state=0, dtype="float64")
    cpu = fit_quietly(RNNRegressor(**settings), X, y, sample_weight=weights)
    gpu = fit_quietly(RNNRegressor(device="cuda", **settings), X, y, sample_weight=weights)
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------ real GPU only --

@needs_gpu
@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_gpu_matches_cpu_in_float32(cell):
    rng = np.random.default_rng(0)
    cpu = RecurrentNetwork(cell, 4, 16, num_layers=2, bidirectional=True, random_state=0)
    gpu = cpu.to_device("cuda")
    X = rng.standard_normal((9, 12, 4)).astype(np.float32)
    lengths = rng.integers(1, 13, 9)
    d_out = rng.standard_normal((9, 12, 32)).astype(np.float32)
    for cpu_result, gpu_result in zip(cpu.forward(X, lengths), gpu.forward(X, lengths)):
        if cpu_result is not None:
            np.testing.assert_allclose(gpu_result, cpu_result, atol=1e-4)
    cpu.forward(X, lengths, training=True)
    gpu.forward(X, lengths, training=True)
    np.testing.assert_allclose(gpu.backward(d_out)[0], cpu.backward(d_out)[0], atol=1e-4)
    np.testing.assert_allclose(np.asarray(gpu.flat_gradients), cpu.flat_gradients,
                               atol=1e-4, rtol=1e-4)


@needs_gpu
def test_gpu_estimator_matches_cpu_estimator():
    # One epoch: Adam's steps are scale-free, so rounding differences in gradients
    # near zero would grow over many epochs without saying anything about the GPU.
    X, y = multiclass_3d(n=48)
    settings = dict(RICH, max_iter=1)
    cpu = fit_quietly(RecurrentClassifier(cell="gru", **settings), X, y)
    gpu = fit_quietly(RecurrentClassifier(cell="gru", device="cuda", **settings), X, y)
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), atol=1e-4)


# ---------------------------------------------------------------- inference --

@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (3, True)])
def test_device_inference_matches_the_cpu(emulated_gpu, cell, layers, bidirectional):
    """Inference keeps no tape on the device (its own path): ragged batches,
    given initial states, stacked and bidirectional layers, as on the CPU."""
    rng = np.random.default_rng(0)
    cpu = RecurrentNetwork(cell, 3, 4, num_layers=layers, bidirectional=bidirectional,
                           dtype=np.float64, random_state=0)
    gpu = cpu.to_device("cuda")
    X = rng.standard_normal((5, 7, 3))
    lengths = np.array([7, 1, 4, 7, 2])  # unsorted, with a sequence of one step
    states = (layers * cpu.num_directions, 5, 4)
    h0 = rng.standard_normal(states)
    c0 = rng.standard_normal(states) if cell == "lstm" else None
    expected = cpu.forward(X, lengths, h0, c0)
    for training in (False, True, False):  # inference also after a taped forward
        for got, want in zip(gpu.forward(X, lengths, h0, c0, training=training), expected):
            if want is not None:
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    with pytest.raises(RuntimeError, match="training=True"):
        gpu.backward(np.ones_like(expected[0]))  # the last forward kept no tape


# -------------------------------------------------- handles and persistence --

def test_device_gradients_start_at_zero_and_accumulate_like_the_cpu(emulated_gpu):
    X = np.random.default_rng(0).standard_normal((4, 5, 3))
    cpu = RecurrentNetwork("gru", 3, 4, dtype=np.float64, random_state=0)
    gpu = cpu.to_device("cuda")
    assert not np.any(np.asarray(gpu.flat_gradients))
    for network in (cpu, gpu):
        out, _, _ = network.forward(X, training=True)
        network.backward(out, accumulate=True)
        network.backward(out, accumulate=True)
    np.testing.assert_allclose(np.asarray(gpu.flat_gradients), cpu.flat_gradients, rtol=1e-12)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_assigning_parameters_and_gradients(device, request):
    if device == "cuda":
        request.getfixturevalue("emulated_gpu")
    net = RecurrentNetwork("lstm", 2, 3, dtype=np.float64, random_state=0, device=device)
    start = np.array(net.flat_parameters)
    net.flat_parameters = net.flat_parameters * 0.5
    net.flat_parameters = net.flat_parameters + 1.0
    np.testing.assert_allclose(net.flat_parameters, start * 0.5 + 1.0)
    out, _, _ = net.forward(np.ones((2, 3, 2)), training=True)
    net.backward(out)
    gradients = np.array(net.flat_gradients)
    net.flat_gradients = net.flat_gradients * 2.0
    np.testing.assert_allclose(net.flat_gradients, 2.0 * gradients)


def test_in_place_operators_on_the_cpu_arrays():
    net = RecurrentNetwork("lstm", 2, 3, dtype=np.float64, random_state=0)
    start = np.array(net.flat_parameters)
    net.flat_parameters *= 0.5
    net.flat_parameters += 1.0
    np.testing.assert_allclose(net.flat_parameters, start * 0.5 + 1.0)
    out, _, _ = net.forward(np.ones((2, 3, 2)), training=True)
    net.backward(out)
    gradients = np.array(net.flat_gradients)
    net.flat_gradients *= 2.0
    np.testing.assert_allclose(net.flat_gradients, 2.0 * gradients)


def test_device_vectors_cannot_be_written_in_place(emulated_gpu):
    net = RecurrentNetwork("rnn_tanh", 2, 3, device="cuda")
    with pytest.raises(ValueError, match="read-only"):
        net.flat_parameters[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        net.flat_gradients *= 2.0


def test_estimators_pickled_before_the_device_parameter_still_load(monkeypatch):
    X, y = multiclass_3d(n=20)
    clf = fit_quietly(GRUClassifier(hidden_size=4, max_iter=1, random_state=0), X, y)
    # What the previous version pickled: no device, in the estimator or its networks.
    network_state = RecurrentNetwork.__getstate__
    monkeypatch.setattr(RecurrentNetwork, "__getstate__", lambda self: {
        key: value for key, value in network_state(self).items() if key != "device"})
    state = dict(clf.__getstate__())  # (a copy: scikit-learn hands out __dict__ itself)
    del state["device"]
    saved = pickle.dumps(state)
    monkeypatch.undo()
    old = GRUClassifier.__new__(GRUClassifier)
    old.__setstate__(pickle.loads(saved))
    assert old.get_params()["device"] == "cpu"
    np.testing.assert_array_equal(old.predict_proba(X), clf.predict_proba(X))


@no_gpu
def test_a_model_pickled_on_a_gpu_loads_on_the_cpu_without_one(emulated_gpu, monkeypatch):
    X, y = multiclass_3d(n=30)
    clf = fit_quietly(GRUClassifier(hidden_size=5, max_iter=2, random_state=0,
                                    device="cuda", dtype="float64"), X, y)
    expected = clf.predict_proba(X)
    saved = pickle.dumps(clf)
    monkeypatch.undo()  # back to this build's real CUDA support: none usable
    with pytest.warns(RuntimeWarning, match="loaded on the CPU"):
        loaded = pickle.loads(saved)
    assert loaded.model_.blocks[0].device == "cpu"
    loaded.set_params(device="cpu")
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=1e-12)


def test_device_with_token_embedding_and_truncated_bptt(emulated_gpu):
    """The embedding needs the first block's input gradient (computed on the
    device and brought back); bptt_steps carries states between windows."""
    rng = np.random.default_rng(2)
    X = rng.integers(0, 12, (40, 14))
    y = (X[:, -3:].sum(axis=1) > 16).astype(int)
    settings = dict(embedding_dim=4, hidden_size=5, bptt_steps=5, max_iter=3, random_state=0,
                    dtype="float64")
    cpu = fit_quietly(GRUClassifier(**settings), X, y)
    gpu = fit_quietly(GRUClassifier(device="cuda", **settings), X, y)
    np.testing.assert_allclose(gpu.loss_curve_, cpu.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), rtol=1e-10)
    np.testing.assert_allclose(gpu.state_dict()["embedding.weight"],
                               cpu.state_dict()["embedding.weight"], rtol=1e-10)
