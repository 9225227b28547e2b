"""Persistence across processes, and refusal of pickles of another format.

A model pickled (or dumped with joblib) in one process predicts identically in a
fresh interpreter, both ways; a pickle whose ``_rnnsk_pickle_format`` is not the
one this rnnsk reads is refused with a ValueError saying what to do.
"""
import copy
import copyreg
import io
import os
import pickle
import subprocess
import sys
import textwrap
import threading

import joblib
import numpy as np
import pytest

from rnnsk import (EncoderDecoder, GRURegressor, LSTMClassifier, RecurrentClassifier,
                   RecurrentNetwork)
from rnnsk._version import PICKLE_FORMAT, __version__

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 9, size=n)
    X = [rng.standard_normal((length, 3)) for length in lengths]
    y = np.array([int(x[:, 0].mean() > 0) for x in X])
    return X, y, np.array([x[:, 1].sum() for x in X])


def run_python(code, cwd):
    """Run ``code`` in a fresh interpreter (this one's executable and rnnsk)."""
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd,
                               env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def save_inputs(tmp_path):
    X, y, values = data(seed=1)
    np.save(tmp_path / "lengths.npy", np.array([len(x) for x in X]))
    np.save(tmp_path / "steps.npy", np.concatenate(X))
    return X


LOAD_INPUTS = """
    import numpy as np
    lengths = np.load("lengths.npy")
    X = np.split(np.load("steps.npy"), np.cumsum(lengths)[:-1])
"""


def test_pickled_and_joblib_models_predict_identically_in_another_process(tmp_path):
    X_fit, y, values = data()
    clf = LSTMClassifier(hidden_size=8, max_iter=3, bidirectional=True, random_state=0,
                         n_threads=1).fit(X_fit, y)
    reg = GRURegressor(hidden_size=(6, 4), max_iter=3, random_state=0,
                       n_threads=1).fit(X_fit, values)
    net = RecurrentNetwork("rnn_relu", 3, 5, num_layers=2, dtype=np.float64,
                           random_state=0)
    (tmp_path / "clf.pkl").write_bytes(pickle.dumps(clf))
    joblib.dump(reg, tmp_path / "reg.joblib", compress=3)
    (tmp_path / "net.pkl").write_bytes(pickle.dumps(net))
    X = save_inputs(tmp_path)
    padded = np.zeros((len(X), max(map(len, X)), 3))
    for i, x in enumerate(X):
        padded[i, :len(x)] = x
    np.save(tmp_path / "padded.npy", padded)

    out = run_python(LOAD_INPUTS + """
    import pickle, joblib, rnnsk
    clf = pickle.load(open("clf.pkl", "rb"))
    reg = joblib.load("reg.joblib")
    net = pickle.load(open("net.pkl", "rb"))
    np.save("clf_proba.npy", clf.predict_proba(X))
    np.save("clf_labels.npy", clf.predict(X))
    np.save("reg.npy", reg.predict(X))
    lengths_ = np.array([len(x) for x in X])
    np.save("net.npy", net.forward(np.load("padded.npy"), lengths_)[0])
    np.savez("clf_state.npz", **clf.state_dict())
    print(rnnsk.__file__, clf.loss_curve_ == [float(v) for v in clf.loss_curve_])
    """, tmp_path)
    assert out.strip().endswith("True")
    np.testing.assert_array_equal(np.load(tmp_path / "clf_proba.npy"), clf.predict_proba(X))
    np.testing.assert_array_equal(np.load(tmp_path / "clf_labels.npy"), clf.predict(X))
    np.testing.assert_array_equal(np.load(tmp_path / "reg.npy"), reg.predict(X))
    lengths = np.array([len(x) for x in X])
    np.testing.assert_array_equal(np.load(tmp_path / "net.npy"), net.forward(padded, lengths)[0])
    state = np.load(tmp_path / "clf_state.npz")
    for name, value in clf.state_dict().items():
        np.testing.assert_array_equal(state[name], value, err_msg=name)


def test_a_model_fitted_in_another_process_loads_here(tmp_path):
    X = save_inputs(tmp_path)
    run_python(LOAD_INPUTS + """
    import pickle, joblib
    from rnnsk import RecurrentClassifier
    y = np.array([int(x[:, 0].mean() > 0) for x in X])
    clf = RecurrentClassifier(cell="rnn_relu", hidden_size=6, max_iter=4, random_state=2,
                              n_threads=1, dtype="float64").fit(X, y)
    pickle.dump(clf, open("clf.pkl", "wb"))
    joblib.dump(clf, "clf.joblib")
    np.save("proba.npy", clf.predict_proba(X))
    """, tmp_path)
    expected = np.load(tmp_path / "proba.npy")
    from_pickle = pickle.loads((tmp_path / "clf.pkl").read_bytes())
    from_joblib = joblib.load(tmp_path / "clf.joblib")
    for loaded in (from_pickle, from_joblib):
        assert isinstance(loaded, RecurrentClassifier)
        np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    # The same fit here gives the same model: nothing of the process leaked in.
    y = np.array([int(x[:, 0].mean() > 0) for x in X])
    here = RecurrentClassifier(cell="rnn_relu", hidden_size=6, max_iter=4, random_state=2,
                               n_threads=1, dtype="float64").fit(X, y)
    np.testing.assert_array_equal(here.predict_proba(X), expected)
    # And the loaded model keeps training like the one fitted here.
    here.partial_fit(X, y)
    from_pickle.partial_fit(X, y)
    for name, value in here.state_dict().items():
        np.testing.assert_array_equal(from_pickle.state_dict()[name], value, err_msg=name)


# ---------------------------------------------------- format version --

def fitted():
    X, y, _ = data(n=12)
    return LSTMClassifier(hidden_size=4, max_iter=1, random_state=0, n_threads=1).fit(X, y)


def pickle_with_state(estimator, change):
    """Pickle ``estimator`` through a reducer that hands ``change(state)`` to
    ``__setstate__`` on load, as an older or newer rnnsk would have written it."""
    state = change(estimator.__getstate__())

    def reduce(obj):
        return (copyreg.__newobj__, (type(obj),), state)

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[type(estimator)] = reduce
    pickler.dump(estimator)
    return buffer.getvalue()


def with_format(value):
    def change(state):
        state = dict(state)
        state["_rnnsk_pickle_format"] = value
        return state
    return change


def without(*keys):
    def change(state):
        return {key: value for key, value in state.items() if key not in keys}
    return change


def test_the_pickle_carries_the_format_and_version():
    state = fitted().__getstate__()
    assert state["_rnnsk_pickle_format"] == PICKLE_FORMAT
    assert state["_rnnsk_version"] == __version__
    # The unchanged state round-trips through the custom reducer.
    loaded = pickle.loads(pickle_with_state(fitted(), lambda s: s))
    X, _, _ = data(n=12)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted().predict_proba(X))


@pytest.mark.parametrize("found", [PICKLE_FORMAT + 1, PICKLE_FORMAT - 1, None,
                                   PICKLE_FORMAT + 0.5],
                         ids=["newer", "older", "None", "fractional"])
def test_a_pickle_of_another_format_is_refused_clearly(found):
    data_ = pickle_with_state(fitted(), with_format(found))
    message = (rf"this LSTMClassifier was pickled by rnnsk {__version__} \(pickle format "
               rf"{found}\); rnnsk {__version__} reads format {PICKLE_FORMAT}\. Load it "
               r"with the version that saved it, or refit it\.")
    with pytest.raises(ValueError, match=message):
        pickle.loads(data_)


def test_a_pickle_from_before_formats_is_refused_clearly():
    data_ = pickle_with_state(fitted(), without("_rnnsk_pickle_format", "_rnnsk_version"))
    with pytest.raises(ValueError, match=r"this LSTMClassifier was pickled by rnnsk an "
                                         r"unknown version \(pickle format None\); rnnsk "
                                         rf"{__version__} reads format {PICKLE_FORMAT}"):
        pickle.loads(data_)


def test_another_format_is_refused_by_joblib_and_by_setstate(tmp_path):
    estimator = fitted()
    (tmp_path / "model.joblib").write_bytes(pickle_with_state(estimator,
                                                              with_format(PICKLE_FORMAT + 7)))
    with pytest.raises(ValueError, match=rf"pickle format {PICKLE_FORMAT + 7}\)"):
        joblib.load(tmp_path / "model.joblib")
    state = with_format(PICKLE_FORMAT + 7)(estimator.__getstate__())
    state["_rnnsk_version"] = "9.9.9"
    blank = LSTMClassifier.__new__(LSTMClassifier)
    with pytest.raises(ValueError, match=r"pickled by rnnsk 9\.9\.9 \(pickle format "
                                         rf"{PICKLE_FORMAT + 7}\)"):
        blank.__setstate__(state)
    # Refused before anything was set: the object holds no fitted attribute.
    assert not hasattr(blank, "model_") and not hasattr(blank, "classes_")
    # The estimator the state came from is untouched and still pickles normally.
    X, _, _ = data(n=12)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(estimator)).predict_proba(X),
                                  estimator.predict_proba(X))


def test_a_named_class_pickled_as_rnnsk_dot_name_loads():
    # Pickles of this format written before the named classes were class
    # statements in rnnsk._classes name them rnnsk.LSTMClassifier (and their
    # state has no `cell`: it never was a parameter of theirs).
    estimator = fitted()
    data_ = pickle.dumps(estimator, protocol=2)  # (a text reference: module\nname\n)
    here = b"crnnsk._classes\nLSTMClassifier\n"
    assert data_.count(here) == 1
    loaded = pickle.loads(data_.replace(here, b"crnnsk\nLSTMClassifier\n"))
    assert type(loaded) is LSTMClassifier and loaded.cell == "lstm"
    assert "cell" not in loaded.get_params() and "cell" not in vars(loaded)
    X, _, _ = data(n=12)
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))


@pytest.mark.parametrize("copy_of", [pickle.dumps, copy.copy, copy.deepcopy,
                                     lambda est: joblib.dump(est, io.BytesIO())])
def test_pickling_or_copying_leaves_the_live_estimator_and_its_lock_alone(copy_of):
    """object.__getstate__ hands over the live __dict__: taking the lock out of
    it took it from the estimator too, and a thread holding it no longer kept
    the others waiting."""
    X, y, _ = data()
    clf = LSTMClassifier(hidden_size=4, max_iter=1, random_state=0).fit(X, y)
    before = dict(vars(clf))
    lock = clf._turns()
    copy_of(clf)
    assert vars(clf) == before and clf._turns() is lock
    held = threading.Event()
    release = threading.Event()

    def hold():
        with clf._turns():
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    copy_of(clf)
    assert not clf._turns().acquire(timeout=0.2)  # still waits for the holder
    release.set()
    holder.join()


def test_pickling_an_encoder_decoder_keeps_its_training_tape():
    """What a training step keeps for its backward stays on the live model
    (another thread's backward may need it) and is left out of the copy."""
    est = EncoderDecoder(hidden_size=4, max_iter=1, random_state=0).fit(["ab", "cd"], ["ba", "dc"])
    tape = object()
    est.model_._tape = est.model_.attention._tape = tape
    copied = pickle.loads(pickle.dumps(est))
    assert est.model_._tape is tape and est.model_.attention._tape is tape
    assert copied.model_._tape is None and copied.model_.attention._tape is None


@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRURegressor])
def test_a_model_pickled_before_bidirectional_existed_has_it(Estimator):
    X, y, values = data()
    est = Estimator(hidden_size=4, max_iter=1, random_state=0).fit(
        X, y if Estimator is LSTMClassifier else values)
    old = pickle_with_state(est, lambda state: {key: value for key, value in state.items()
                                                if key != "bidirectional_"})
    assert pickle.loads(old).bidirectional_ is est.bidirectional_
