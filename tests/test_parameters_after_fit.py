"""Parameters set after fit that prediction would read again.

An estimator predicts with the model it fitted: set_params between fit and
predict either changes nothing (the classifiers, the tagger's head), is
checked as fit checks it (decoding settings), or is refused with the fitted
value named (the forecaster's windows, the tokenization of text models), never
mixed silently with a model fitted for another value.
"""
import numpy as np
import pytest

from rnnsk import EncoderDecoder, RecurrentForecaster, RecurrentLanguageModel, RecurrentTagger

SMALL = dict(hidden_size=4, max_iter=2, random_state=0, n_threads=1)


@pytest.fixture(scope="module")
def forecaster():
    series = np.sin(np.arange(40) / 3.0) + 3
    return RecurrentForecaster(window_length=4, horizon=2, n_estimators=1,
                               window_multiples=(1,), **SMALL).fit(series)


@pytest.mark.parametrize("name, value, shown", [
    ("strategy", "recursive", "strategy='recursive' (fitted with 'direct')"),
    ("window_scaling", None, "window_scaling=None (fitted with 'auto')"),
    ("differences", 1, "differences=1 (fitted with 0)"),
    ("horizon", 4, "horizon=4 (fitted with 2)"),
])
def test_forecaster_refuses_what_predict_reads_changed_since_fit(forecaster, name, value,
                                                                 shown):
    before = forecaster.predict()
    fitted = forecaster.get_params()[name]
    forecaster.set_params(**{name: value})
    try:
        for call in (forecaster.predict, forecaster.predict_interval):
            with pytest.raises(ValueError, match=r"RecurrentForecaster was fitted with other "
                                                 r"parameters than it has now: "
                                                 + shown.replace("(", r"\(").replace(")", r"\)")
                                                 + "; its model depends on them"):
                call()
    finally:
        forecaster.set_params(**{name: fitted})
    np.testing.assert_array_equal(forecaster.predict(), before)


def test_language_model_refuses_another_tokenization_and_keeps_its_own():
    model = RecurrentLanguageModel(bptt_steps=4, **SMALL).fit(["abcab cab", "bca abc"] * 3)
    score = model.score(["abc cab"])
    model.set_params(analyzer="word")
    for call in (lambda: model.score(["abc cab"]), lambda: model.generate("", 3)):
        with pytest.raises(ValueError, match=r"analyzer='word' \(fitted with 'char'\)"):
            call()
    model.set_params(analyzer="char")
    assert model.score(["abc cab"]) == score


def test_tagger_predicts_with_the_head_it_fitted():
    """crf=False set after a CRF fit does not swap Viterbi for a per-step argmax."""
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((6, 2)) for _ in range(12)]
    y = [np.where(x[:, 0] > 0, "p", "n") for x in X]
    tagger = RecurrentTagger(crf=True, **SMALL).fit(X, y)
    labels, probabilities = tagger.predict(X), tagger.predict_proba(X)
    tagger.set_params(crf=False)
    for a, b in zip(tagger.predict(X), labels):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(tagger.predict_proba(X), probabilities):
        np.testing.assert_array_equal(a, b)


def test_encoder_decoder_checks_decoding_settings_and_refuses_another_analyzer():
    X = ["abc", "ba", "cab", "ab"] * 3
    model = EncoderDecoder(embedding_dim=4, batch_size=4, **SMALL).fit(X, [x[::-1] for x in X])
    for name, value in [("beam_width", 0), ("max_output_length", -1)]:
        model.set_params(**{name: value})
        with pytest.raises(ValueError, match=f"The '{name}' parameter of EncoderDecoder must "
                                             "be"):
            model.predict(X)
        model.set_params(**{name: EncoderDecoder().get_params()[name]})
    model.set_params(beam_width=2)  # decoding may change freely
    assert len(model.predict(X)) == len(X)
    model.set_params(analyzer="word")
    with pytest.raises(ValueError, match=r"analyzer='word' \(fitted with 'char'\)"):
        model.predict(X)


def test_a_fitted_value_compares_by_value_not_identity():
    """joblib reloads an array parameter as a new array; a tuple set where a
    list was fitted is the same setting."""
    import joblib
    series = np.sin(np.arange(60) / 3.0) + 3
    forecaster = RecurrentForecaster(window_length=4, horizon=2, n_estimators=2,
                                     window_multiples=np.array([1.0, 1.5]),
                                     window_scaling=["standardize", "last"], **SMALL).fit(series)
    buffer = __import__("io").BytesIO()
    joblib.dump(forecaster, buffer)
    buffer.seek(0)
    reloaded = joblib.load(buffer)
    np.testing.assert_array_equal(reloaded.predict(), forecaster.predict())
    reloaded.set_params(window_scaling=("standardize", "last"))
    np.testing.assert_array_equal(reloaded.predict(), forecaster.predict())


def test_a_warm_start_refuses_another_tokenization_as_predict_does():
    docs = ["The Cat sat on the mat", "a dog ate the Bone"]
    model = RecurrentLanguageModel(analyzer="word", lowercase=True, embedding_dim=4,
                                   **SMALL).fit(docs)
    model.set_params(lowercase=False)
    with pytest.raises(ValueError, match=r"lowercase False \(fitted with True\)"):
        model.partial_fit(docs)


def test_an_unfitted_tagger_says_so():
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        RecurrentTagger().predict([[[0.1], [0.2]]])
