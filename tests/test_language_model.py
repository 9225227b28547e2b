"""RecurrentLanguageModel through its public API: training, scoring,
generation, bad input, scikit-learn citizenship."""
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from rnnsk import RecurrentLanguageModel
from rnnsk._sampling import next_tokens

TEXT = ["abcabcabcabcabcabcabc", "abcabcabc", "cabcab"] * 4


def small(**params):
    options = dict(hidden_size=16, num_layers=1, bptt_steps=8, batch_size=4, max_iter=30,
                   learning_rate_init=0.02, dropout=0.0, random_state=0)
    options.update(params)
    return RecurrentLanguageModel(**options)


@pytest.fixture(scope="module")
def fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return small().fit(TEXT)


def test_learns_a_periodic_text(fitted):
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0] / 3
    assert fitted.tokens_ == ["<unk>", "a", "b", "c", "</d>"]
    # After "ab" comes "c" almost surely.
    proba = fitted.predict_proba(["ab"])[0]
    assert proba.argmax() == fitted.vocabulary_["c"] and proba.max() > 0.9
    assert np.allclose(fitted.predict_proba(["", "abca"]).sum(axis=1), 1)
    assert fitted.generate("abc", max_tokens=12, temperature=0) == "abcabcabcabc"[:12]


def test_score_is_mean_log_likelihood_per_token(fitted):
    documents = ["abcab", "ca"]
    # Brute force from predict_proba: every prefix, every next token and the end.
    total, count = 0.0, 0
    for document in documents:
        prefixes = [document[:i] for i in range(len(document) + 1)]
        targets = [fitted.vocabulary_[t] for t in document] + [len(fitted.tokens_) - 1]
        proba = fitted.predict_proba(prefixes)
        total += np.log(proba[np.arange(len(targets)), targets]).sum()
        count += len(targets)
    assert fitted.score(documents) == pytest.approx(total / count, rel=1e-5)
    assert fitted.perplexity(documents) == pytest.approx(np.exp(-total / count), rel=1e-5)
    # Longer than bptt_steps: read window by window, the state carried.
    long = ["abc" * 11]
    prefixes = [long[0][:i] for i in range(len(long[0]) + 1)]
    targets = [fitted.vocabulary_[t] for t in long[0]] + [len(fitted.tokens_) - 1]
    proba = fitted.predict_proba(prefixes)
    expected = np.log(proba[np.arange(len(targets)), targets]).mean()
    assert fitted.score(long) == pytest.approx(expected, rel=1e-5)


def test_unknown_characters_score_as_unknown_and_prompts_refuse_them(fitted):
    assert np.isfinite(fitted.score(["abxc"]))
    assert fitted.score(["abxc"]) < fitted.score(["abcc"])
    with pytest.raises(ValueError, match=r"never seen: \['x'\]"):
        fitted.generate("abx")
    with pytest.raises(ValueError, match="never seen"):
        fitted.predict_proba(["zz"])


def test_no_prefix_to_predict_after_is_a_clear_error(fitted):
    with pytest.raises(ValueError, match="X holds no prefixes"):
        fitted.predict_proba([])


def test_generation_is_reproducible_and_batched(fitted):
    one = fitted.generate(max_tokens=20, temperature=1.5, random_state=3)
    assert one == fitted.generate(max_tokens=20, temperature=1.5, random_state=3)
    many = fitted.generate("a", max_tokens=15, temperature=2.0, n_samples=6, random_state=0)
    assert len(many) == 6 and len(set(many)) > 1
    assert all(len(text) <= 15 and set(text) <= set("abc") for text in many)
    assert fitted.generate(max_tokens=0) == ""


def test_temperature_zero_is_greedy(fitted):
    text = fitted.generate("c", max_tokens=10, temperature=0)
    prefix = "c"
    for token in text:
        proba = fitted.predict_proba([prefix])[0]
        proba[0] = 0  # never the unknown token
        assert fitted.tokens_[proba.argmax()] == token
        prefix += token
    assert fitted.generate("c", max_tokens=10, temperature=1e-6, random_state=0) == text


def test_sampling_filters():
    rng = np.random.RandomState(0)
    scores = np.log(np.tile([0.5, 0.3, 0.15, 0.05], (4000, 1)))
    for kwargs, allowed, expected in [
            (dict(top_k=2), {0, 1}, [0.625, 0.375]),
            (dict(top_p=0.7), {0, 1}, [0.625, 0.375]),
            (dict(top_p=0.5), {0}, [1.0]),
            (dict(), {0, 1, 2, 3}, [0.5, 0.3, 0.15, 0.05])]:
        drawn = next_tokens(scores, rng, **kwargs)
        assert set(drawn) <= allowed
        frequencies = np.bincount(drawn, minlength=4)[:len(expected)] / len(drawn)
        np.testing.assert_allclose(frequencies, expected, atol=0.03)
    assert set(next_tokens(scores, rng, banned=[0, 1])) <= {2, 3}
    hot = next_tokens(scores, rng, temperature=100.0)
    assert np.bincount(hot, minlength=4).min() > 800  # nearly uniform


@pytest.mark.parametrize("kwargs, message", [
    (dict(max_tokens=-1), "max_tokens"), (dict(temperature=-1.0), "temperature"),
    (dict(top_k=0), "top_k"), (dict(top_p=0.0), "top_p"), (dict(n_samples=0), "n_samples"),
    (dict(prompt=3), "prompt")])
def test_bad_generation_arguments(fitted, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        fitted.generate(**kwargs)


@pytest.mark.parametrize("X, message", [
    (["", ""], "no text"), ([], "at least one document"), ("abc", "list of documents"),
    ([b"ab"], "must be a str"), ([1, 2], "must be a str")])
def test_bad_training_text(X, message):
    lm = small()
    with pytest.raises((ValueError, TypeError), match=message):
        lm.fit(X)
    assert not hasattr(lm, "model_")


def test_windows_are_required():
    with pytest.raises(ValueError, match="bptt_steps"):
        small(bptt_steps=None).fit(TEXT)


def test_tied_weights_need_matching_sizes():
    with pytest.raises(ValueError, match="tie_weights"):
        small(tie_weights=True, embedding_dim=5).fit(TEXT)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_words_and_a_cut_vocabulary():
    documents = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"] * 3
    lm = small(analyzer="word", token_pattern=r"\w+", max_tokens=5, max_iter=3).fit(documents)
    assert len(lm.tokens_) == 7 and lm.tokens_[1] == "the"
    # Words outside the kept 5 are learned as '<unk>' and never generated.
    text = lm.generate("the", max_tokens=20, random_state=0, n_samples=5)
    assert all(set(sample.split()) <= set(lm.vocabulary_) for sample in text)
    assert np.isfinite(lm.score(["the zebra sat"]))


def test_early_stopping_holds_out_the_last_windows():
    lm = small(early_stopping=True, validation_fraction=0.25, max_iter=5, batch_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm.fit(TEXT)
    assert len(lm.validation_scores_) == lm.n_iter_
    assert lm.best_validation_score_ == max(lm.validation_scores_) < 0


def test_partial_fit_continues(fitted):
    lm = clone(fitted).set_params(max_iter=2)
    lm.partial_fit(TEXT)
    lm.partial_fit(TEXT)
    assert lm.n_iter_ == 2 and lm.loss_curve_[1] < lm.loss_curve_[0]


def test_regularisation_options_train():
    lm = small(num_layers=2, dropout=0.3, embedding_dropout=0.2, weight_dropout=0.3,
               tie_weights=True, cell="gru", max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm.fit(TEXT)
    assert lm.loss_curve_[-1] < lm.loss_curve_[0]
    assert "head.weight" in lm.state_dict()
    np.testing.assert_array_equal(lm.state_dict()["head.weight"],
                                  lm.state_dict()["embedding.weight"])


def test_clone_pickle_and_grid_search(fitted):
    copy = pickle.loads(pickle.dumps(fitted))
    assert copy.generate("ab", 10, random_state=1) == fitted.generate("ab", 10, random_state=1)
    assert copy.score(TEXT) == fitted.score(TEXT)
    assert clone(fitted).get_params() == fitted.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(small(max_iter=3), {"hidden_size": [4, 8]}, cv=2).fit(TEXT)
    assert search.best_params_["hidden_size"] in (4, 8)


def test_same_seed_same_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = small(max_iter=3, dropout=0.2).fit(TEXT)
        second = small(max_iter=3, dropout=0.2).fit(TEXT)
    assert first.loss_curve_ == second.loss_curve_


def test_state_dict_round_trip_and_tie_check(fitted):
    lm = clone(fitted).set_params(max_iter=1, tie_weights=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm.fit(TEXT)
    state = lm.state_dict()
    state["head.weight"] = state["head.weight"] + 1
    with pytest.raises(ValueError, match="ties its weights"):
        lm.load_state_dict(state)


def test_a_warm_start_refuses_other_tied_weights():
    model = small(max_iter=1, warm_start=True).fit(TEXT)
    with pytest.raises(ValueError, match=r"tie_weights True \(fitted with False\)"):
        model.set_params(tie_weights=True).fit(TEXT)
