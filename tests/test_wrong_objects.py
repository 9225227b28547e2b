"""Calls given the wrong kind of object get an error naming it, not an
AttributeError from deep inside: state_dict loaders given something that is
no mapping of names, converters given an estimator without recurrent layers,
settings read after fit that set_params made invalid, sizes that cannot fit."""
import re

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from rnnsk import (EncoderDecoder, LSTMClassifier, RecurrentForecaster, RecurrentNetwork,
                   RecurrentTagger, to_torch)

SMALL = dict(hidden_size=4, max_iter=1, random_state=0, n_threads=1)
X = np.random.default_rng(0).standard_normal((6, 5, 2))
y = [0, 1] * 3


@pytest.fixture(scope="module")
def classifier():
    return LSTMClassifier(**SMALL).fit(X, y)


@pytest.mark.parametrize("given", [[1.0, 2.0], {1: np.zeros(2)}, "rnn.weight_ih_l0"])
def test_loaders_refuse_what_is_no_mapping_of_names(classifier, given):
    before = classifier.state_dict()
    with pytest.raises(TypeError, match="state_dict must map parameter names \\(str\\) to "
                                        "arrays, as state_dict\\(\\) returns, got"):
        classifier.load_state_dict(given)
    np.testing.assert_array_equal(classifier.state_dict()["rnn.weight_ih_l0"],
                                  before["rnn.weight_ih_l0"])
    network = RecurrentNetwork.from_estimator(classifier)
    with pytest.raises(TypeError, match="mapping must map parameter names"):
        network.load_parameters(given)
    tagger = RecurrentTagger(crf=True, **SMALL).fit(list(X), [["a", "b"] * 2 + ["a"]] * 6)
    with pytest.raises(TypeError, match="state_dict must map parameter names"):
        tagger.load_state_dict(given)


def test_a_tagger_names_its_missing_crf_scores_as_any_missing_name():
    tagger = RecurrentTagger(crf=True, **SMALL).fit(list(X), [["a", "b"] * 2 + ["a"]] * 6)
    state = tagger.state_dict()
    for missing in (["crf.end"], ["crf.transitions", "head.bias"]):
        with pytest.raises(ValueError, match=re.escape(f"missing {missing}")):
            tagger.load_state_dict({k: v for k, v in state.items() if k not in missing})
    after = tagger.state_dict()
    assert all(np.array_equal(after[name], value) for name, value in state.items())


def test_converters_name_an_estimator_without_recurrent_layers():
    forecaster = RecurrentForecaster(window_length=4, horizon=2, n_estimators=1,
                                     window_multiples=(1,), **SMALL).fit(np.arange(30.0))
    with pytest.raises(TypeError, match=r"to_torch takes a fitted rnnsk estimator with a "
                                        r"recurrent model \(model_\), got RecurrentForecaster, "
                                        r"which has none; a RecurrentForecaster's networks are "
                                        r"its regressor_"):
        to_torch(forecaster)
    with pytest.raises(TypeError, match="RecurrentNetwork.from_estimator takes a fitted rnnsk "
                                        "estimator .* got Ridge"):
        RecurrentNetwork.from_estimator(Ridge().fit([[0.0], [1.0]], [0.0, 1.0]))
    words = ["ab", "ba", "abb"] * 2
    seq2seq = EncoderDecoder(embedding_dim=4, **SMALL).fit(words, words)
    with pytest.raises(TypeError, match="a EncoderDecoder holds an encoder, a decoder and "
                                        "attention: export it with to_torch or state_dict"):
        RecurrentNetwork.from_estimator(seq2seq)


def test_n_threads_set_invalid_after_fit_is_refused_by_predict(classifier):
    classifier.set_params(n_threads="x")
    try:
        with pytest.raises(ValueError, match="The 'n_threads' parameter of LSTMClassifier "
                                             "must be"):
            classifier.predict(X)
    finally:
        classifier.set_params(n_threads=1)


def test_an_explicit_vocabulary_too_large_for_memory_is_named():
    tokens = np.array([[1, 2, 3], [3, 2, 1]])
    with pytest.raises(MemoryError, match=r"vocabulary_size=2147483648 needs an embedding of "
                                          r"2147483648 x 64 .* Pass the number of tokens X "
                                          r"uses"):
        LSTMClassifier(embedding_dim=64, vocabulary_size=2**31, **SMALL).fit(tokens, [0, 1])


def test_window_multiples_must_be_finite():
    with pytest.raises(ValueError, match="window_multiples must be a non-empty sequence of "
                                         "finite numbers of at least 1, got \\(1, inf\\)"):
        RecurrentForecaster(window_length=4, window_multiples=(1, np.inf),
                            **SMALL).fit(np.arange(40.0))
