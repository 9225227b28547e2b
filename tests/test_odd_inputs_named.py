"""Odd inputs a fuzzing review found answered by messages from deep inside
(numpy, a ufunc, a join at generation time) or by the wrong advice: each now
gets an error naming the argument and the problem, or is read as it should be."""
import numpy as np
import pandas as pd
import pytest

from rnnsk import (EncoderDecoder, LSTMClassifier, RecurrentLanguageModel,
                   RecurrentStepRegressor, RecurrentTagger)
from rnnsk._memory import available_bytes, total_bytes

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
TINY = dict(hidden_size=4, max_iter=2, random_state=0, n_threads=1)
IDS = np.random.default_rng(0).integers(1, 9, size=(10, 5))
LABELS = [0, 1] * 5


def test_token_ids_in_an_object_array_are_read_as_ids():
    """(np.isfinite of an object array raised "ufunc 'isfinite' not supported")"""
    as_objects = LSTMClassifier(embedding_dim=3, **TINY).fit(IDS.astype(object), LABELS)
    as_ints = LSTMClassifier(embedding_dim=3, **TINY).fit(IDS, LABELS)
    np.testing.assert_array_equal(as_objects.predict_proba(IDS), as_ints.predict_proba(IDS))


@pytest.mark.parametrize("X, error, message", [
    (IDS.astype(str), ValueError, "X holds strings where integer token ids are expected"),
    (np.array([[1, None]] * 10, dtype=object), ValueError,
     "X must hold integer token ids below 2\\*\\*63 when embedding_dim is set; numpy reads "
     "its values as objects"),
    (np.array([[1, 2**70]] * 10, dtype=object), ValueError, "ids too large"),
])
def test_token_ids_that_are_not_integers_are_named(X, error, message):
    with pytest.raises(error, match=message):
        LSTMClassifier(embedding_dim=3, **TINY).fit(X, LABELS)


@pytest.mark.parametrize("X, y, error, message", [
    ({"a": 1}, [0], TypeError, "X must hold sequences of numbers .*got a dict"),
    (np.zeros((3, 4, 2)), [[0, 1], [1], [0]], ValueError,
     "y must hold one target per sequence .* its entries have different lengths"),
])
def test_containers_of_the_wrong_shape_are_named(X, y, error, message):
    """(a dict was called text, for its keys; ragged y got numpy's message)"""
    with pytest.raises(error, match=message):
        LSTMClassifier(**TINY).fit(X, y)


SENTENCES = [["the", "cat", "sat"], ["a", "dog", "ran"]] * 4
TAGS = [["D", "N", "V"]] * 8


@pytest.mark.parametrize("table", [np.array, pd.DataFrame])
def test_a_tagger_reads_a_table_of_string_tokens(table):
    """(it was told to use TextSequencer, though it reads strings itself)"""
    as_table = RecurrentTagger(**TINY).fit(table(SENTENCES), TAGS)
    as_lists = RecurrentTagger(**TINY).fit(SENTENCES, TAGS)
    np.testing.assert_array_equal(np.concatenate(as_table.predict_proba(table(SENTENCES))),
                                  np.concatenate(as_lists.predict_proba(SENTENCES)))


def test_tables_of_numbers_reach_the_step_estimators_as_numbers():
    """A DataFrame of numbers crashed the string-token detection ('DataFrame'
    object has no attribute 'dtype'), and numbers written as strings would have
    become a vocabulary of tokens: both are read as the array of numbers is."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 5))
    y = [np.cumsum(row) for row in X]
    fitted = RecurrentStepRegressor(**TINY).fit(X, y)
    expected = np.concatenate(fitted.predict(X))
    for table in (pd.DataFrame(X), X.astype(str)):
        refitted = RecurrentStepRegressor(**TINY).fit(table, y)
        np.testing.assert_allclose(np.concatenate(refitted.predict(table)), expected,
                                   rtol=1e-6)


def test_a_none_among_string_tokens_is_named():
    """(it gave "could not convert string to float: 'cat'")"""
    with pytest.raises(TypeError, match="X\\[0\\] mixes string tokens with NoneType None"):
        RecurrentTagger(**TINY).fit([[None, "cat", "sat"]] + SENTENCES[1:], TAGS)


@pytest.mark.parametrize("X, error, message", [
    (None, TypeError, "X must be a list of strings or of token-id sequences, got NoneType"),
    ({"ab": 1}, TypeError, "got dict"),
    ("ab", ValueError, "got one string"),
])
def test_encoder_decoder_sources_that_are_no_list_are_named(X, error, message):
    model = EncoderDecoder(hidden_size=8, max_iter=1, random_state=0).fit(["ab", "ba"] * 4,
                                                                          ["x", "y"] * 4)
    with pytest.raises(error, match=message):
        model.predict(X)


def test_a_language_model_refuses_a_tokenizer_returning_no_strings_at_fit():
    """(it trained, and generate failed joining the ints)"""
    lengths = RecurrentLanguageModel(analyzer="word", tokenizer=lambda s: [len(w) for w in
                                                                          s.split()], **TINY)
    with pytest.raises(TypeError, match=r"tokenizer must return strings, got 1 \(a int\) "
                                        r"among the tokens of X\[0\]"):
        lengths.fit(["a bb ccc", "dd e"] * 5)
    assert not hasattr(lengths, "tokens_")
    words = RecurrentLanguageModel(analyzer="word", tokenizer=str.split, **TINY)
    assert isinstance(words.fit(["a bb ccc", "dd e"] * 5).generate(max_tokens=3), str)


def test_a_decoding_limit_far_beyond_the_outputs_allocates_only_the_steps_taken():
    """max_output_length=10**9 made greedy decoding allocate (n, 10**9) ids
    (60 GiB for 8 sources) before its first step; beam search padded to it."""
    X, Y = ["ab", "ba"] * 4, ["x", "yy"] * 4
    for beam_width in (1, 2):
        bounded = EncoderDecoder(hidden_size=8, max_iter=30, beam_width=beam_width,
                                 random_state=0).fit(X, Y)
        expected = bounded.predict(X)
        bounded.set_params(max_output_length=10**9)
        assert bounded.predict(X) == expected


@pytest.mark.skipif(available_bytes() is None, reason="the free memory cannot be read")
@pytest.mark.parametrize("make, advice", [
    (lambda: RecurrentLanguageModel(embedding_dim=2**40, **TINY).fit(["ab ba"] * 4),
     "max_tokens"),
    (lambda: RecurrentTagger(embedding_dim=2**40, **TINY).fit(SENTENCES, TAGS),
     "min_frequency"),
])
def test_an_embedding_too_large_for_memory_is_named(make, advice):
    """(numpy's 'Unable to allocate 136 TiB' from inside the model's making)"""
    with pytest.raises(MemoryError, match=rf"a vocabulary of \d+ tokens.* needs an embedding of "
                                          rf"\d+ x 1099511627776 .* smaller embedding_dim.*"
                                          rf"{advice}"):
        make()


@pytest.mark.skipif(total_bytes() is None, reason="the machine's memory cannot be read")
@pytest.mark.parametrize("char_encoder", ["cnn", "lstm"])
def test_a_character_encoder_too_large_for_memory_is_named(char_encoder):
    """(numpy's 'Unable to allocate' for the characters' table)"""
    tagger = RecurrentTagger(char_encoder=char_encoder, char_features=2**40, **TINY)
    with pytest.raises(MemoryError, match="a character encoder of char_features=1099511627776 "
                                          "needs at least .* GiB .*; use a smaller "
                                          "char_features"):
        tagger.fit(SENTENCES, TAGS)
    assert not hasattr(tagger, "model_")
