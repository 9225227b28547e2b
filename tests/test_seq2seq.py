"""EncoderDecoder through its public API: learning, decoding (greedy and beam
against brute force), attention weights and their display, token kinds, the
shared training options, scikit-learn citizenship and bad input."""
import itertools
import pickle
import warnings

import numpy as np
import pytest
from scipy.special import log_softmax
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from rnnsk import AttentionDisplay, EncoderDecoder, GRUClassifier
from rnnsk._decoding import beam_search, greedy_decode
from rnnsk._seq2seq_model import END, START

LETTERS = list("abcd")


def reversal(n, seed=0, longest=5):
    rng = np.random.RandomState(seed)
    X = ["".join(rng.choice(LETTERS, rng.randint(1, longest + 1))) for _ in range(n)]
    return X, [x[::-1] for x in X]


def small(**options):
    return EncoderDecoder(**{"hidden_size": 24, "embedding_dim": 8, "max_iter": 40,
                             "batch_size": 16, "learning_rate_init": 0.02, "random_state": 0,
                             **options})


@pytest.fixture(scope="module")
def fitted():
    X, Y = reversal(200)
    return small().fit(X, Y)


@pytest.mark.parametrize("attention", ["luong", "bahdanau", None])
def test_learns_to_reverse_strings(attention):
    X, Y = reversal(200)
    X_test, Y_test = reversal(100, seed=1)
    model = small(attention=attention, bidirectional=attention == "bahdanau").fit(X, Y)
    assert model.score(X_test, Y_test) >= 0.8
    assert model.loss_curve_[-1] < model.loss_curve_[0] / 10


def _sequence_log_probability(model, x, ids):
    """Sum of log-probabilities of output ``ids`` (then the end token unless
    truncated) under teacher forcing, as an independent score of beams."""
    sources = model._validate_sequences([x], reset=False)
    inputs = np.array([[START] + list(ids)])
    scores = model.model_.forward(sources, inputs, np.array([len(ids) + 1]))[0]
    log_p = log_softmax(scores.astype(np.float64), axis=1)
    steps = list(ids) + [END]
    return sum(log_p[t, token] for t, token in enumerate(steps))


def test_beam_search_with_a_wide_beam_is_exhaustive_search():
    """With more beams than candidate outputs, beam search must return the
    most probable output of at most max_output_length tokens (checked by
    enumerating them all), here with an untrained model whose outputs are not
    trivially short."""
    model = small(max_iter=1, max_output_length=3).fit(["ab", "ba"], ["a", "b"])
    tokens = range(2, 2 + len(model.target_tokens_))
    for x in ["ab", "ba", "a"]:
        candidates = {}
        for length in range(0, 3):
            for ids in itertools.product(tokens, repeat=length):
                candidates[ids] = _sequence_log_probability(model, x, ids)
        sources = model._validate_sequences([x], reset=False)
        for ids in itertools.product(tokens, repeat=3):  # truncated: no end token
            inputs = np.array([[START] + list(ids[:2])])
            scores = model.model_.forward(sources, inputs, np.array([3]))[0]
            log_p = log_softmax(scores.astype(np.float64), axis=1)
            candidates[ids] = sum(log_p[t, token] for t, token in enumerate(ids))
        best = max(candidates, key=candidates.get)
        model.set_params(beam_width=40)
        beam = model.predict([x])[0]
        assert beam == "".join(model.target_tokens_[i - 2] for i in best)


def test_beam_width_one_is_greedy_and_wider_beams_score_at_least_as_well(fitted):
    X, _ = reversal(30, seed=2)
    greedy = fitted.predict(X)
    sources = fitted._validate_sequences(X, reset=False)
    limit = fitted.max_output_length_
    for a, b in zip(greedy_decode(fitted.model_, sources, limit),
                    beam_search(fitted.model_, sources, limit, 1)):
        np.testing.assert_array_equal(a, b)
    model = pickle.loads(pickle.dumps(fitted))
    model.set_params(beam_width=4)
    beams = model.predict(X)
    ids = lambda y: [fitted.target_tokens_.index(c) + 2 for c in y]  # noqa: E731
    for x, g, b in zip(X, greedy, beams):
        assert (_sequence_log_probability(model, x, ids(b))
                >= _sequence_log_probability(model, x, ids(g)) - 1e-5)


def test_greedy_decoding_of_a_batch_equals_one_at_a_time(fitted):
    X, _ = reversal(25, seed=3)
    assert fitted.predict(X) == [fitted.predict([x])[0] for x in X]


def test_max_output_length_bounds_the_output():
    X, Y = reversal(50)
    model = small(max_iter=1, max_output_length=2).fit(X, Y)
    assert all(len(y) <= 2 for y in model.predict(X))
    assert small(max_iter=1).fit(X, Y).max_output_length_ == 2 * max(len(y) for y in Y)


def test_attention_weights_are_distributions_over_the_real_source(fitted):
    X = ["abcd", "a", "dcb"]
    predicted = fitted.predict(X)
    weights = fitted.attention_weights(X)
    for x, y, w in zip(X, predicted, weights):
        assert w.shape == (len(y) + 1, len(x))
        np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-5)
    # Teacher forcing on a given target; reversal attends mostly to the mirrored position.
    w = fitted.attention_weights(["abcd"], ["dcba"])[0]
    assert w.shape == (5, 4)
    assert np.mean(np.argmax(w[:4], axis=1) == [3, 2, 1, 0]) >= 0.75


def test_attention_weights_need_attention():
    X, Y = reversal(20)
    with pytest.raises(ValueError, match="attention=None"):
        small(attention=None, max_iter=1).fit(X, Y).attention_weights(X)


def test_attention_display(fitted):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    display = AttentionDisplay.from_estimator(fitted, "abc")
    assert display.image_.get_array().shape == (len(fitted.predict(["abc"])[0]) + 1, 3)
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ["a", "b", "c"]
    assert display.ax_.get_yticklabels()[-1].get_text() == "<end>"
    with pytest.raises(ValueError, match="labels"):
        AttentionDisplay(weights=np.zeros((2, 2)), source_tokens=["a"],
                         output_tokens=["b", "c"]).plot()
    pooled = GRUClassifier(readout="attention", hidden_size=4, max_iter=1).fit(
        np.ones((4, 3, 1)), [0, 1, 0, 1])
    with pytest.raises(TypeError, match="GRUClassifier has none"):
        AttentionDisplay.from_estimator(pooled, np.ones((3, 1)))


def test_word_tokens_and_token_ids():
    X = ["one two", "two three", "three one", "one one", "two two", "three three"] * 5
    Y = [" ".join(x.split()[::-1]) + " end" for x in X]
    model = small(analyzer="word", max_iter=60).fit(X, Y)
    assert set(model.source_tokens_) == {"one", "two", "three"}
    assert model.score(X, Y) == 1.0
    ids_X = [np.array([3, 1, 4]), np.array([1, 5]), np.array([9, 2, 6, 5])] * 10
    ids_Y = [x[::-1] for x in ids_X]
    model = small(max_iter=60).fit(ids_X, ids_Y)
    predicted = model.predict(ids_X[:3])
    assert all(isinstance(p, np.ndarray) and p.dtype == np.int64 for p in predicted)
    assert model.score(ids_X, ids_Y) == 1.0


def test_clone_pickle_and_state_dict_round_trip(fitted):
    X, _ = reversal(20, seed=4)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.predict(X) == fitted.predict(X)
    assert clone(fitted).get_params() == fitted.get_params()
    other = small(max_iter=1, random_state=1).fit(*reversal(200))
    assert other.predict(X) != fitted.predict(X)
    other.load_state_dict(fitted.state_dict())
    assert other.predict(X) == fitted.predict(X)
    names = set(fitted.state_dict())
    assert {"encoder_embedding.weight", "decoder_embedding.weight", "encoder.weight_ih_l0",
            "decoder.weight_hh_l0", "attention.key.weight", "combine.weight",
            "output.weight", "output.bias"} <= names
    assert all(name.startswith(("encoder", "decoder", "attention.", "combine.", "output."))
               for name in names)


def test_bidirectional_names_include_the_bridge():
    model = small(bidirectional=True, attention="bahdanau", num_layers=2, max_iter=1)
    names = set(model.fit(*reversal(20)).state_dict())
    assert {"bridge.weight", "bridge.bias", "bridge_cell.weight", "attention.query.weight",
            "attention.energy.weight", "encoder.weight_ih_l1_reverse",
            "decoder.weight_hh_l1"} <= names


def test_grid_search_over_hidden_size_and_attention_scores_exact_match():
    X, Y = reversal(80)
    folds = [(np.arange(40, 80), np.arange(40)), (np.arange(40), np.arange(40, 80))]
    search = GridSearchCV(small(max_iter=10), {"hidden_size": [8, 24],
                                               "attention": ["luong", None]}, cv=folds)
    search.fit(X, Y)
    assert set(search.cv_results_["param_attention"]) == {"luong", None}
    # Each split's score is the exact match of a clone fitted on that fold.
    params = search.cv_results_["params"][0]
    model = clone(small(max_iter=10)).set_params(**params)
    model.fit([X[i] for i in folds[0][0]], [Y[i] for i in folds[0][0]])
    held_out = folds[0][1]
    predicted = model.predict([X[i] for i in held_out])
    exact = np.mean([p == Y[i] for p, i in zip(predicted, held_out)])
    assert search.cv_results_["split0_test_score"][0] == exact
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])


def test_clone_is_unfitted_and_parameters_are_validated_at_fit(fitted):
    copy = clone(fitted)
    assert not hasattr(copy, "model_")
    assert copy.set_params(hidden_size=8).hidden_size == 8 and fitted.hidden_size == 24
    from sklearn.exceptions import NotFittedError
    from sklearn.utils._param_validation import InvalidParameterError
    with pytest.raises(NotFittedError):
        copy.predict(["ab"])
    with pytest.raises(InvalidParameterError, match="attention"):
        copy.set_params(attention="dot").fit(["ab"], ["ba"])


def test_partial_fit_warm_start_and_early_stopping():
    X, Y = reversal(120)
    model = small(max_iter=1)
    model.partial_fit(X, Y)
    model.partial_fit(X, Y)
    assert model.n_iter_ == 2 and len(model.loss_curve_) == 2
    warm = small(max_iter=3, warm_start=True).fit(X, Y)
    warm.fit(X, Y)
    assert warm.n_iter_ == 6
    stopped = small(max_iter=8, early_stopping=True, validation_fraction=0.25).fit(X, Y)
    assert len(stopped.validation_scores_) == stopped.n_iter_
    assert all(0.0 <= s <= 1.0 for s in stopped.validation_scores_)


def test_sample_weight_of_two_equals_a_repeated_pair():
    X, Y = reversal(16)
    doubled = small(max_iter=2, shuffle=False, batch_size=32).fit(X + X[:1], Y + Y[:1])
    weighted = small(max_iter=2, shuffle=False, batch_size=32).fit(
        X, Y, sample_weight=[2.0] + [1.0] * 15)
    np.testing.assert_allclose(doubled.loss_curve_, weighted.loss_curve_, rtol=1e-4)


def test_default_minibatches_hold_64_pairs_and_fewer_pairs_fit_without_a_warning():
    X, Y = reversal(100)
    automatic = small(max_iter=2, shuffle=False, batch_size="auto").fit(X, Y)
    sixty_four = small(max_iter=2, shuffle=False, batch_size=64).fit(X, Y)
    np.testing.assert_array_equal(automatic.loss_curve_, sixty_four.loss_curve_)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        EncoderDecoder(hidden_size=8, embedding_dim=4, max_iter=1).fit(*reversal(10))


@pytest.mark.parametrize("X, Y, error, match", [
    (["ab", ""], ["a", "b"], ValueError, r"X\[1\] is empty"),
    (["ab", "b"], ["a"], ValueError, "2 sequences but y has 1"),
    ("abc", ["a"], ValueError, "one string"),
    (["ab", "b"], "ab", ValueError, "one string"),
    ([], [], ValueError, "empty"),
    (["ab", 3], ["a", "b"], TypeError, "strings"),
])
def test_bad_input_to_fit(X, Y, error, match):
    with pytest.raises(error, match=match):
        small(max_iter=1).fit(X, Y)


def test_a_tokenizer_must_return_strings():
    """Outputs are their tokens joined by spaces: an int token failed in str.join."""
    with pytest.raises(TypeError, match=r"tokenizer must return strings, got 1 \(a int\) "
                                        "among the tokens of X"):
        small(max_iter=1, analyzer="word", tokenizer=lambda text: [1, 2]).fit(["a b", "b a"],
                                                                             ["a", "b"])


def test_empty_targets_are_learned_as_immediate_end():
    X = ["ab", "ba", "aa", "bb"] * 8
    Y = ["", "x", "", "x"] * 8
    model = small(max_iter=60).fit(X, Y)
    assert model.predict(["ab", "ba"]) == ["", "x"]


def test_unknown_source_tokens_at_predict_are_left_out_with_a_warning_or_an_error(fitted):
    model = pickle.loads(pickle.dumps(fitted))
    with pytest.warns(UserWarning, match=r"2 token\(s\) not seen in fit.*'y', 'z'"):
        assert model.predict(["zaby", "ab"]) == model.predict(["ab", "ab"])
    with pytest.warns(UserWarning, match="not seen in fit"):
        weights = model.attention_weights(["azb"])
    assert weights[0].shape[1] == 2 == len(model.source_tokens("azb"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 'ignore' is silent
        assert model.set_params(handle_unknown="ignore").predict(["abz"]) == \
            model.predict(["ab"])
    with pytest.raises(ValueError, match=r"X\[1\] holds no token seen in fit: 'z'"):
        model.predict(["ab", "zz"])
    model.set_params(handle_unknown="error")
    with pytest.raises(ValueError, match="not seen in fit: 'z'"):
        model.predict(["abz"])
    assert model.source_tokens("azb") == ["a", "z", "b"]
    model.set_params(handle_unknown="raise")  # set after fit, which validated the others
    with pytest.raises(ValueError, match="'handle_unknown' parameter"):
        model.predict(["abz"])


def test_score_counts_a_source_of_unseen_tokens_as_a_miss(fitted):
    model = pickle.loads(pickle.dumps(fitted))
    X, Y = ["ab", "zz", "ba", "zy"], ["x", "x", "y", "y"]
    readable = [0, 2]
    with pytest.warns(UserWarning, match=r"2 source\(s\) hold no token seen in fit and count "
                                         r"as misses: X\[1, 3\] \('y', 'z'\)") as caught:
        score = model.score(X, Y)
    assert [w.filename for w in caught] == [__file__] * len(caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 'ignore' is silent
        model.set_params(handle_unknown="ignore")
        expected = np.mean([p == y for p, y in zip(model.predict([X[i] for i in readable]),
                                                     [Y[i] for i in readable])] + [0, 0])
        assert score == model.score(X, Y) == expected
        weights = [1.0, 3.0, 1.0, 0.0]
        assert model.score(X, Y, sample_weight=weights) == pytest.approx(
            np.average([model.score(["ab"], ["x"]), 0, model.score(["ba"], ["y"]), 0],
                       weights=weights))
        assert model.score(["zz"], ["x"]) == 0.0
    model.set_params(handle_unknown="error")
    with pytest.raises(ValueError, match=r"2 token\(s\) not seen in fit: 'y', 'z'"):
        model.score(X, Y)
    with pytest.raises(ValueError, match="X is empty"):
        model.score([], [])
    model.set_params(handle_unknown="ignore")
    with pytest.raises(ValueError, match="X holds 4 sources but Y has 3 entries"):
        model.score(X, Y[:3])
    # Errors name the source where the caller put it, unreadable ones before it or not.
    with pytest.raises(ValueError, match=r"X\[2\] is empty"):
        model.score(["zz", "ab", ""], ["x", "x", "x"])
    with pytest.raises(TypeError, match="Y holds strings in this model"):
        model.score(["zz", "ab"], [None, "x"])


def test_the_unseen_token_warning_points_at_the_users_line(fitted):
    for call in (lambda: fitted.predict(["abz"]), lambda: fitted.score(["abz"], ["b"]),
                 lambda: fitted.attention_weights(["abz"], ["b"])):
        with pytest.warns(UserWarning, match="not seen in fit") as caught:
            call()
        assert [w.filename for w in caught] == [__file__]


def test_a_model_pickled_before_handle_unknown_keeps_raising_on_unseen_tokens(fitted):
    state = fitted.__getstate__()
    del state["handle_unknown"]
    older = EncoderDecoder.__new__(EncoderDecoder)
    older.__setstate__(state)
    assert older.handle_unknown == "error"
    with pytest.raises(ValueError, match="not seen in fit: 'z'"):
        older.predict(["abz"])


def test_unknown_tokens_of_targets_and_of_training_are_errors_that_change_nothing(fitted):
    with pytest.raises(ValueError, match="not seen in fit"):
        fitted.attention_weights(["ab"], ["zz"])
    before = {name: value.copy() for name, value in fitted.state_dict().items()}
    model = pickle.loads(pickle.dumps(fitted)).set_params(warm_start=True)
    with pytest.raises(ValueError):
        model.fit(["ab", "q"], ["ba", "q"])
    assert all(np.array_equal(before[name], value)
               for name, value in model.state_dict().items())
    with pytest.raises(ValueError, match="X holds 1 sources but Y has 2"):
        fitted.score(["ab"], ["ba", "ab"])


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m.predict(["ab", ""]), ValueError, r"X\[1\] is empty"),
    (lambda m: m.predict("ab"), ValueError, "one string"),
    (lambda m: m.predict([]), ValueError, "empty"),
    (lambda m: m.predict([[0, 1]]), TypeError, "strings"),
    (lambda m: m.partial_fit(["ab"], ["az"]), ValueError, "Y holds 1 token.* not seen in fit: 'z'"),
    (lambda m: m.attention_weights(["ab"], ["ba", "ab"]), ValueError, "1 sources but Y has 2"),
    (lambda m: m.fit(["ab", "b"], ["ba", "b"], sample_weight=[1.0]), ValueError,
     "sample_weight"),
    (lambda m: m.set_params(analyzer="word", tokenizer=lambda s: 5).fit(["a b"], ["c"]),
     TypeError, r"an entry of X, 'a b', could not be tokenized \(TypeError: 'int' object is "
                r"not iterable"),
    # score checks its weights as fit does (np.average took NaN, negatives, any length).
    (lambda m: m.score(["ab", "ba"], ["ba", "ab"], sample_weight=[np.nan, 1.0]), ValueError,
     "sample_weight must be finite and non-negative"),
    (lambda m: m.score(["ab", "ba"], ["ba", "ab"], sample_weight=[-1.0, 3.0]), ValueError,
     "sample_weight must be finite and non-negative"),
    (lambda m: m.score(["ab", "ba"], ["ba", "ab"], sample_weight=[0.0, 0.0]), ValueError,
     "sample_weight sums to zero"),
    (lambda m: m.score(["ab", "ba"], ["ba", "ab"], sample_weight=[1.0, 2.0, 3.0]), ValueError,
     r"sample_weight.shape == \(3,\), expected \(2,\)"),
    (lambda m: m.score(["ab", "ba"], ["ba", "ab"], sample_weight=["a", "b"]), TypeError,
     "sample_weight must hold numbers"),
])
def test_bad_input_after_fit_is_an_error_and_changes_nothing(fitted, call, error, match):
    model = pickle.loads(pickle.dumps(fitted))
    before = model.state_dict()
    with pytest.raises(error, match=match):
        call(model)
    assert all(np.array_equal(before[name], value)
               for name, value in model.state_dict().items())
    assert model.n_iter_ == fitted.n_iter_


def test_a_target_with_unseen_tokens_scores_as_a_miss(fitted):
    X, Y = reversal(10, seed=5)
    assert fitted.score(X, Y) == 1.0
    assert fitted.score(X, ["z" + y for y in Y]) == 0.0


def test_a_warm_start_refuses_another_attention():
    X, Y = reversal(20)
    model = small(max_iter=1, warm_start=True).fit(X, Y)
    with pytest.raises(ValueError, match=r"attention None \(fitted with 'luong'\)"):
        model.set_params(attention=None).fit(X, Y)


# ----------------------------------------------------- embedding dropout --

def test_source_embedding_dropout_gradients_match_finite_differences():
    # The model of the parity checks, with whole source tokens dropped
    # (the same ones at every evaluation: the minibatch seed fixes them).
    from seq2seq_helpers import make_config, make_inputs, make_model, run_rnnsk
    config = make_config(source_vocabulary=9, source_lengths=(6, 2, 5, 4))
    model, inputs = make_model(config), make_inputs(config)
    model.embedding_dropout = 0.5
    _, gradients = run_rnnsk(model, inputs)
    table = model.encoder_embedding
    numeric = np.zeros_like(table)
    for index in np.ndindex(table.shape):
        saved = table[index]
        table[index] = saved + 1e-6
        plus = run_rnnsk(model, inputs)[0]
        table[index] = saved - 1e-6
        minus = run_rnnsk(model, inputs)[0]
        table[index] = saved
        numeric[index] = (plus - minus) / 2e-6
    np.testing.assert_allclose(gradients["encoder_embedding.weight"], numeric, rtol=1e-6,
                               atol=1e-9)
    # Dropped tokens read zeros: read tokens without a gradient are those dropped.
    real = np.arange(inputs["sources"].shape[1]) < inputs["source_lengths"][:, None]
    read = np.unique(inputs["sources"][real])
    silent = [t for t in read if not np.any(numeric[t])]
    assert 0 < len(silent) < len(read)


def test_embedding_dropout_changes_training_only_and_is_reproducible():
    X, Y = reversal(60)
    a, b = (small(max_iter=3, embedding_dropout=0.3).fit(X, Y) for _ in range(2))
    plain = small(max_iter=3).fit(X, Y)
    assert a.loss_curve_ == b.loss_curve_ != plain.loss_curve_
    for name, value in a.state_dict().items():
        np.testing.assert_array_equal(value, b.state_dict()[name])
    assert a.predict(X) == a.predict(X)
