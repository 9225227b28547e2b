"""RecurrentTagger and RecurrentStepRegressor through their public API: the
three kinds of X, the CRF and its forbidden transitions, errors, scikit-learn
citizenship (clone, pickle, grid search, cross-validation) and to_torch."""
import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, f1_score, make_scorer
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from rnnsk import RecurrentStepRegressor, RecurrentTagger, to_torch

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def sign_task(n=60, seed=0):
    """Label of a step: whether the running sum of the first feature is positive
    (needs memory of the past, so a recurrent model is required)."""
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(int(k), 2)) for k in rng.integers(1, 12, n)]
    y = [np.where(np.cumsum(x[:, 0]) > 0, "up", "down") for x in X]
    return X, y


def words_task():
    """Segmentation of strings into words of a tiny lexicon: b/m/e/s per character."""
    rng = np.random.default_rng(1)
    lexicon = ["北京", "天安门", "我", "爱", "你", "今天", "天气", "很", "好", "中华人民"]
    X, y = [], []
    for _ in range(80):
        words = [lexicon[i] for i in rng.integers(0, len(lexicon), rng.integers(1, 6))]
        X.append("".join(words))
        y.append(list("".join("s" if len(w) == 1 else "b" + "m" * (len(w) - 2) + "e"
                              for w in words)))
    return X, y


BMES_FORBIDDEN_PAIRS = {("b", "b"), ("b", "s"), ("m", "b"), ("m", "s"), ("e", "m"),
                        ("e", "e"), ("s", "m"), ("s", "e")}


@pytest.mark.parametrize("crf", [False, True])
def test_learns_a_task_that_needs_memory(crf):
    X, y = sign_task()
    tagger = RecurrentTagger(hidden_size=16, max_iter=40, crf=crf, random_state=0,
                             learning_rate_init=0.02).fit(X, y)
    assert tagger.score(X, y) > 0.9
    predicted, probabilities = tagger.predict(X), tagger.predict_proba(X)
    assert list(tagger.classes_) == ["down", "up"]
    for x, labels, p in zip(X, predicted, probabilities):
        assert labels.shape == (len(x),) and set(labels) <= {"down", "up"}
        assert p.shape == (len(x), 2)
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    if not crf:
        for labels, p in zip(predicted, probabilities):
            np.testing.assert_array_equal(labels, tagger.classes_[p.argmax(axis=1)])


def test_segments_strings_with_forbidden_bmes_transitions():
    X, y = words_task()
    tagger = RecurrentTagger(hidden_size=16, max_iter=25, crf=True,
                             forbidden_transitions="bmes", random_state=0,
                             learning_rate_init=0.02).fit(X, y)
    assert tagger.score(X, y) > 0.95
    transitions = tagger.state_dict()["crf.transitions"]
    index = {label: i for i, label in enumerate(tagger.classes_)}
    for a, b in BMES_FORBIDDEN_PAIRS:
        assert transitions[index[a], index[b]] == -np.inf
    # Whatever it reads, the CRF never outputs a forbidden pair.
    for labels in tagger.predict(["你好北京", "天天天天天天", "x", "我爱中华人民共和国"]):
        assert labels[0] in "bs" and labels[-1] in "es"
        assert not set(zip(labels, labels[1:])) & BMES_FORBIDDEN_PAIRS
    # A plain str is the sequence of its characters.
    np.testing.assert_array_equal(tagger.predict(["北京"])[0], tagger.predict([["北", "京"]])[0])


def test_string_tokens_vocabulary_oov_and_character_encoder():
    X = [["the", "cat", "sat"], ["a", "cat"], ["the", "mat"]] * 10
    y = [["D", "N", "V"], ["D", "N"], ["D", "N"]] * 10
    tagger = RecurrentTagger(hidden_size=8, max_iter=30, random_state=0, min_frequency=11,
                             learning_rate_init=0.02).fit(X, y)
    # Tokens seen fewer than 11 times ("sat", "a", "mat") share id 0.
    assert set(tagger.vocabulary_) == {"the", "cat"}
    assert sorted(tagger.vocabulary_.values()) == [1, 2]
    names = tagger.state_dict()
    # And every pair (seen 10 times) shares the unknown pair's row.
    assert names["embedding.weight"].shape == (3 + 1, 64)
    assert names["char_conv.weight"].shape == (30, 30, 3)
    # Unseen words (and unseen characters) still get labels.
    labels = tagger.predict([["the", "zebra", "sat"]])[0]
    assert labels.shape == (3,)
    plain = RecurrentTagger(hidden_size=8, max_iter=2, char_encoder=None,
                            embedding_dim=5).fit(X, y)
    assert not any(name.startswith("char_") for name in plain.state_dict())


def test_token_ids_with_embedding():
    rng = np.random.default_rng(2)
    X = [rng.integers(0, 5, int(n)) for n in rng.integers(1, 8, 50)]
    y = [x % 2 for x in X]
    tagger = RecurrentTagger(embedding_dim=4, hidden_size=8, max_iter=30, random_state=0,
                             learning_rate_init=0.02).fit(X, y)
    assert tagger.score(X, y) > 0.95
    assert tagger.state_dict()["embedding.weight"].shape == (5, 4)


def test_partial_fit_early_stopping_and_hidden_states():
    X, y = sign_task()
    tagger = RecurrentTagger(hidden_size=6, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        tagger.partial_fit(X, y)
    tagger.partial_fit(X, y, classes=["down", "up"]).partial_fit(X, y)
    assert tagger.n_iter_ == 2
    stopped = RecurrentTagger(hidden_size=6, max_iter=50, early_stopping=True,
                              n_iter_no_change=2, random_state=0, crf=True).fit(X, y)
    assert len(stopped.validation_scores_) == stopped.n_iter_
    assert all(0 <= s <= 1 for s in stopped.validation_scores_)
    outputs, final = stopped.hidden_states(X[:3])
    assert [o.shape for o in outputs] == [(len(x), 12) for x in X[:3]]
    assert final.shape == (3, 12)
    # The forward half of the final state is the output at the last step, the
    # reverse half the output at the first (torch's h_n).
    for o, f in zip(outputs, final):
        np.testing.assert_allclose(f[:6], o[-1, :6])
        np.testing.assert_allclose(f[6:], o[0, 6:])


@pytest.mark.parametrize("early_stopping, patience", [(True, 1), (False, 10)])
def test_auto_patience_is_one_epoch_only_with_held_out_sentences(early_stopping, patience,
                                                                 capsys):
    # With a tol no epoch can reach, every epoch is one without progress: the
    # adaptive rule cuts the rate once `patience` of them have passed, and says so.
    X, y = sign_task()
    tagger = RecurrentTagger(hidden_size=4, tol=1e9, max_iter=patience + 2,
                             early_stopping=early_stopping, verbose=True, random_state=0)
    assert tagger.n_iter_no_change == "auto"
    with pytest.warns(ConvergenceWarning):
        tagger.fit(X, y)
    cuts = [line for line in capsys.readouterr().out.splitlines() if "Setting learning" in line]
    assert len(cuts) == 1
    assert f"for {patience} consecutive epochs" in cuts[0]


def test_tagger_defaults_are_two_layers_that_stop_early_on_large_corpora():
    tagger = RecurrentTagger()
    assert (tagger.hidden_size, tagger.num_layers, tagger.dropout,
            tagger.early_stopping) == (64, 2, 0.2, "auto")
    X, y = sign_task()
    fitted = RecurrentTagger(max_iter=1, random_state=0).fit(X, y)
    assert fitted.validation_scores_ is None  # too few sequences to hold any out
    assert "rnn.weight_hh_l1_reverse" in fitted.state_dict()  # the second layer
    with pytest.raises(ValueError, match="n_iter_no_change"):
        RecurrentTagger(n_iter_no_change="never").fit(X, y)


@pytest.mark.parametrize("n_sequences, stops_early", [(1000, False), (1001, True)])
def test_auto_early_stopping_above_100000_steps(n_sequences, stops_early):
    """Each step is scored: a tenth of more than 100,000 steps is a steady held-out
    accuracy, where 10,000 sentences (the sequences' rule) let a fit on a few
    thousand run 200 epochs of its training loss."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_sequences, 100, 1))  # 100 steps each
    y = (X[:, :, 0] > 0).astype(int)
    tagger = RecurrentTagger(hidden_size=2, num_layers=1, max_iter=1, random_state=0).fit(X, y)
    assert (tagger.validation_scores_ is not None) == stops_early
    assert tagger.t_ == (n_sequences - 101 if stops_early else n_sequences)


@pytest.mark.parametrize("X, match", [
    ([], "X is empty"), ([[]], r"X\[0\] is an empty sequence"),
    ([[], ["the"]], r"X\[0\] is an empty sequence")])
def test_empty_input_to_a_tagger_of_string_tokens_is_named(X, match):
    tagger = RecurrentTagger(hidden_size=4, max_iter=1, random_state=0).fit(
        [["the", "cat"], ["a", "dog", "ran"]] * 3, [["D", "N"], ["D", "N", "V"]] * 3)
    with pytest.raises(ValueError, match=match):
        tagger.predict(X)


def test_score_counts_labels_not_seen_in_fit_as_wrong_as_accuracy_score_does():
    X, y = sign_task(30)
    tagger = RecurrentTagger(hidden_size=4, max_iter=3, random_state=0).fit(X, y)
    truth = [np.where(np.arange(len(t)) % 3 == 0, "sideways", t) for t in y]  # unseen label
    expected = accuracy_score(np.concatenate(truth), np.concatenate(tagger.predict(X)))
    assert 0 < expected < 1
    assert tagger.score(X, truth) == pytest.approx(expected)
    assert tagger.score(X, [np.full(len(x), "sideways") for x in X]) == 0.0
    # A label of another type is refused, as accuracy_score refuses a mix of
    # strings and numbers: numpy would turn the sequence's numbers into strings.
    numbers = RecurrentTagger(hidden_size=4, max_iter=2, random_state=0).fit(
        X, [(t == "up").astype(int) for t in y])
    mixed = [list((t == "up").astype(int)) for t in y]
    mixed[2][0] = "unknown"
    with pytest.raises(ValueError, match=r"y\[2\] holds text labels, but the tagger was "
                                         r"fitted \(.*\) on numeric ones"):
        numbers.score(X, mixed)
    # fit refuses the same mix across sequences rather than turn 1 into '1'.
    before = pickle.dumps(numbers)
    text_first = [np.asarray(t) for t in y[:2]] + [(t == "up").astype(int) for t in y[2:]]
    with pytest.raises(ValueError, match=r"y\[2\] holds numeric labels, but y\[0\] holds text"):
        numbers.fit(X, text_first)
    assert pickle.dumps(numbers) == before
    # Numbers in an object array are numbers.
    objects = [(t == "up").astype(int) for t in y]
    objects[0] = objects[0].astype(object)
    np.testing.assert_array_equal(numbers.fit(X, objects).classes_, [0, 1])


@pytest.mark.parametrize("kind", ["tagger", "step regressor"])
def test_score_refuses_x_and_y_of_different_counts(kind):
    """score zipped the two and scored the shorter silently (0.68 for 8
    sentences against 7 label sequences)."""
    X, y = sign_task(8)
    if kind == "tagger":
        model = RecurrentTagger(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    else:
        y = [np.cumsum(x[:, 0]) for x in X]
        model = RecurrentStepRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X holds 8 sequences but y has 7 entries"):
        model.score(X, y[:-1])
    with pytest.raises(ValueError, match="X holds 1 sequences but y has 8 entries"):
        model.score(X[:1], y)


def test_errors_name_the_problem_and_leave_the_estimator_unchanged():
    X, y = sign_task(20)
    tagger = RecurrentTagger(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    before = pickle.dumps(tagger)
    bad_y = list(y)
    bad_y[3] = bad_y[3][:-1] if len(bad_y[3]) > 1 else np.array(["up", "up"])
    with pytest.raises(ValueError, match=r"y\[3\] has \d+ targets but sequence 3 of X"):
        tagger.fit(X, bad_y)
    with pytest.raises(ValueError, match=r"X\[1\] is an empty sequence"):
        tagger.fit([["a"], [], ["b"]], [["x"], [], ["y"]])
    with pytest.raises(ValueError, match=r"X\[2\] is an empty sequence"):
        tagger.fit([X[0], X[1], np.zeros((0, 2))], y[:3])
    with pytest.raises(TypeError, match=r"X\[1\] is None, not a sequence of string tokens"):
        tagger.fit([["a"], None], [["x"], ["y"]])
    with pytest.raises(ValueError, match=r"y\[0\] contains a missing value"):
        tagger.fit([["a", "b"], ["c"]], [["x", None], ["y"]])
    with pytest.raises(ValueError, match="X is empty: at least 1 sequence is required"):
        tagger.fit([], [])
    with pytest.raises(TypeError, match="one sequence of targets per sequence"):
        tagger.fit(X, "up")
    with pytest.raises(ValueError, match="fitted on numbers or token ids"):
        tagger.predict([["a", "b"]])
    with pytest.raises(ValueError, match="forbidden_transitions needs crf=True"):
        clone(tagger).set_params(crf=False, forbidden_transitions=[("up", "down")]).fit(X, y)
    with pytest.raises(ValueError, match=r"forbidden transition \('up', 'left'\)"):
        clone(tagger).set_params(crf=True, forbidden_transitions=[("up", "left")]).fit(X, y)
    with pytest.raises(TypeError, match=r"forbidden transition \(\['up'\], 'down'\) names "
                                        r"\['up'\], which is no label"):
        clone(tagger).set_params(crf=True, forbidden_transitions=[(["up"], "down")]).fit(X, y)
    with pytest.raises(ValueError, match="needs bptt_steps=None"):
        clone(tagger).set_params(bidirectional=False, bptt_steps=3).fit(X, y)
    with pytest.raises(ValueError, match="needs labels among b, m, e, s"):
        clone(tagger).set_params(crf=True, forbidden_transitions="bmes").fit(X, y)
    with pytest.raises(ValueError, match=r"y\[1\] takes a transition"):
        RecurrentTagger(crf=True, forbidden_transitions="bmes").fit(
            ["ab", "cd"], [["b", "e"], ["b", "b"]])
    assert pickle.dumps(tagger) == before


def test_sklearn_clone_pickle_grid_search_and_cross_validation():
    X, y = sign_task(40)
    tagger = RecurrentTagger(hidden_size=6, max_iter=3, random_state=0)
    assert clone(tagger).get_params() == tagger.get_params()
    tagger.fit(X, y)
    restored = pickle.loads(pickle.dumps(tagger))
    for a, b in zip(restored.predict_proba(X), tagger.predict_proba(X)):
        np.testing.assert_array_equal(a, b)

    def token_f1(y_true, y_pred):
        return f1_score(np.concatenate(y_true), np.concatenate(y_pred), pos_label="up")

    search = GridSearchCV(tagger, {"crf": [False, True]}, scoring=make_scorer(token_f1),
                          cv=2).fit(X, y)
    assert set(search.cv_results_["params"][0]) == {"crf"}
    assert 0 <= search.best_score_ <= 1
    scores = cross_val_score(tagger, X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))


def test_cross_validation_takes_labels_as_lists_of_lists():
    # scikit-learn's integer cv tries to stratify a classifier's y and refuses a
    # list of lists as "legacy multi-label" data; a tagger's y is never stratified.
    X, y = words_task()
    tagger = RecurrentTagger(hidden_size=4, num_layers=1, max_iter=2, random_state=0)
    assert not is_classifier(tagger)
    folds = list(KFold(3).split(X))
    expected = [clone(tagger).fit([X[i] for i in train], [y[i] for i in train])
                .score([X[i] for i in test], [y[i] for i in test]) for train, test in folds]
    np.testing.assert_allclose(cross_val_score(tagger, X, y, cv=3), expected)
    search = GridSearchCV(tagger, {"crf": [False, True]}, cv=3).fit(X, y)
    assert search.best_params_["crf"] in (False, True)


@pytest.mark.parametrize("inputs", [dict(char_encoder=None, token_bigrams=None),
                                    dict(char_encoder="cnn", token_bigrams="next"),
                                    dict(char_encoder=None, token_bigrams="both")])
def test_to_torch_reproduces_predict_proba_and_viterbi(inputs):
    torch = pytest.importorskip("torch")
    X, y = words_task()
    unseen = ["天安门很好", "我爱你中华人民", "好"]  # and unseen pairs and characters:
    new = ["我爱上海", "人民好吗"]
    for crf in (False, True):
        tagger = RecurrentTagger(hidden_size=6, max_iter=2, crf=crf, char_features=5,
                                 forbidden_transitions="bmes" if crf else None,
                                 random_state=0, **inputs).fit(X, y)
        module = to_torch(tagger)
        sentences = X[:4] + unseen + new
        ids, lengths = tagger.token_ids(sentences)
        alone = inputs["char_encoder"] is None and inputs["token_bigrams"] is None
        assert ids.ndim == (2 if alone else 3)  # the token's id alone, or more per step
        with torch.no_grad():
            scores = module(torch.from_numpy(ids), torch.from_numpy(lengths))
        if crf:
            probabilities = module.crf.marginals(scores, torch.from_numpy(lengths))
            decoded = module.crf.viterbi(scores, torch.from_numpy(lengths))
        else:
            probabilities = torch.softmax(scores, dim=2)
            decoded = probabilities.argmax(dim=2)
        for row, (p, labels) in enumerate(zip(tagger.predict_proba(sentences),
                                              tagger.predict(sentences))):
            np.testing.assert_allclose(probabilities[row, :len(p)].numpy(), p, atol=1e-5)
            np.testing.assert_array_equal(tagger.classes_[decoded[row, :len(p)].numpy()],
                                          labels)
        tagger.load_state_dict(module.state_dict())  # -inf of forbidden pairs included


@pytest.mark.parametrize("char_encoder", ["cnn", "lstm"])
def test_to_torch_computes_the_character_encoder_of_words(char_encoder):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    lexicon = ["cat", "dog", "a", "the", "runs", "sleeps", "quickly", "big"]
    X = [[lexicon[i] for i in rng.integers(0, len(lexicon), rng.integers(1, 7))]
         for _ in range(40)]
    y = [["long" if len(word) > 3 else "short" for word in sentence] for sentence in X]
    tagger = RecurrentTagger(hidden_size=5, max_iter=2, char_features=4, crf=False,
                             char_encoder=char_encoder, random_state=0).fit(X, y)
    sentences = X[:3] + [["dogs", "sleep", "a"], ["extraordinarily", "cat"]]
    ids, lengths = tagger.token_ids(sentences)
    with torch.no_grad():
        scores = to_torch(tagger)(torch.from_numpy(ids), torch.from_numpy(lengths))
    for row, p in enumerate(tagger.predict_proba(sentences)):
        np.testing.assert_allclose(torch.softmax(scores[row, :len(p)], dim=1).numpy(), p,
                                   atol=1e-5)


def test_token_bigrams_give_pairs_seen_twice_their_own_embedding():
    X = ["abc", "abd", "cd"]
    y = [list("bme"), list("bme"), list("be")]
    tagger = RecurrentTagger(hidden_size=3, max_iter=1, char_encoder=None,
                             token_bigrams="next", random_state=0).fit(X, y)
    ids, lengths = tagger.token_ids(["abd", "cda"])
    vocabulary = tagger.vocabulary_
    assert ids.shape == (2, 3, 2) and list(lengths) == [3, 3]
    np.testing.assert_array_equal(ids[0, :, 0], [vocabulary[c] for c in "abd"])
    np.testing.assert_array_equal(ids[1, :, 0], [vocabulary[c] for c in "cda"])
    unknown_pair = len(vocabulary) + 1
    pairs = ids[..., 1]
    # Seen twice in fit, each its own id: "ab", and "d" at the end.
    assert len({pairs[0, 0], pairs[0, 2], unknown_pair}) == 3
    assert min(pairs[0, 0], pairs[0, 2]) > unknown_pair
    # Seen once ("bd", "cd") or never ("da", "a" at the end): the unknown pair's id.
    assert pairs[0, 1] == pairs[1, 0] == pairs[1, 1] == pairs[1, 2] == unknown_pair
    # One embedding row per token id (with OOV) and per pair id (with the unknown pair).
    assert tagger.model_.embedding.shape[0] == unknown_pair + 1 + 2
    assert tagger.model_.blocks[0].input_size == 2 * 64
    plain = RecurrentTagger(hidden_size=3, max_iter=1, char_encoder=None, token_bigrams=None,
                            random_state=0).fit(X, y)
    assert plain.token_ids(["abd"])[0].shape == (1, 3)


def test_both_token_bigrams_give_each_step_its_previous_and_next_pair():
    X = ["abc", "abd", "ab", "cd"]
    y = [list("bme"), list("bme"), list("be"), list("be")]
    tagger = RecurrentTagger(hidden_size=3, max_iter=1, char_encoder="cnn",
                             token_bigrams="both", random_state=0).fit(X, y)
    sentences = ["abd", "d", "cab"]
    ids, lengths = tagger.token_ids(sentences)
    assert ids.shape == (3, 3, 4) and list(lengths) == [3, 1, 3]
    unknown = len(tagger.vocabulary_) + 1
    # Seen at least twice in fit: "a" first (start, a), "ab", and "d" last (d, end).
    kept = tagger._tokens.bigrams
    assert set(kept) == {("", "a"), ("a", "b"), ("d", "")}
    for row, sentence in enumerate(sentences):
        padded = ["", *sentence, ""]
        previous = [kept.get((padded[i], padded[i + 1]), unknown) for i in range(len(sentence))]
        following = [kept.get((padded[i + 1], padded[i + 2]), unknown)
                     for i in range(len(sentence))]
        np.testing.assert_array_equal(ids[row, :len(sentence), 0],
                                      [tagger.vocabulary_[c] for c in sentence])
        np.testing.assert_array_equal(ids[row, :len(sentence), 1], previous)
        np.testing.assert_array_equal(ids[row, :len(sentence), 2], following)
        assert np.all(ids[row, :len(sentence), 3] > 1)  # then the character's id
    # Three embeddings per step (token, previous pair, next pair) and the character CNN.
    assert tagger.model_.blocks[0].input_size == 3 * 64 + 30


def test_auto_embedding_dropout_drops_tokens_only_where_there_is_an_embedding():
    numeric = RecurrentTagger(hidden_size=4, max_iter=1, random_state=0).fit(*sign_task(10))
    strings = RecurrentTagger(hidden_size=4, max_iter=1, random_state=0).fit(*words_task())
    assert numeric.model_.embedding_dropout == 0.0
    assert strings.model_.embedding_dropout == 0.2
    with pytest.raises(ValueError, match="embedding_dropout=0.3 needs an embedding"):
        RecurrentTagger(embedding_dropout=0.3, max_iter=1).fit(*sign_task(10))


def test_token_ids_needs_string_tokens():
    X, y = sign_task(n=10)
    tagger = RecurrentTagger(hidden_size=4, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="token_ids is for string tokens"):
        tagger.token_ids(X)


@pytest.mark.parametrize("two_d", [False, True])
def test_step_regressor_learns_a_running_mean(two_d):
    rng = np.random.default_rng(3)
    X = [rng.normal(size=(int(n), 1)) for n in rng.integers(2, 15, 60)]
    y = [100 + 10 * np.cumsum(x[:, 0]) / np.arange(1, len(x) + 1) for x in X]
    if two_d:
        y = [np.stack([t, -t], axis=1) for t in y]
    regressor = RecurrentStepRegressor(hidden_size=16, max_iter=60, bidirectional=False,
                                       random_state=0, learning_rate_init=0.01).fit(X, y)
    assert regressor.score(X, y) > 0.9
    predicted = regressor.predict(X)
    assert [p.shape for p in predicted] == [t.shape for t in y]
    assert regressor.n_outputs_ == (2 if two_d else 1)


@pytest.mark.parametrize("estimator", [RecurrentTagger(), RecurrentStepRegressor()],
                         ids=lambda e: type(e).__name__)
def test_sklearn_checks_that_do_not_assume_tabular_y(estimator):
    """scikit-learn's checks whose data are not one target per sample (the
    others feed y as a column, which is not what these estimators take; see
    docs/guide/tagging.md)."""
    from sklearn.utils import estimator_checks as checks
    name = type(estimator).__name__
    checks.check_no_attributes_set_in_init(name, estimator)
    checks.check_parameters_default_constructible(name, estimator)
    checks.check_get_params_invariance(name, estimator)
    checks.check_set_params(name, estimator)
    checks.check_estimator_cloneable(name, estimator)
    checks.check_estimator_repr(name, estimator)
    checks.check_estimator_tags_renamed(name, estimator)
    checks.check_valid_tag_types(name, estimator)


def test_step_targets_without_a_column_are_refused():
    X = [np.ones((3, 2)), np.ones((4, 2))]
    with pytest.raises(ValueError, match=r"y\[0\] of shape \(3, 0\) has no target column"):
        RecurrentStepRegressor(hidden_size=4, max_iter=1).fit(X, [np.empty((3, 0)),
                                                                  np.empty((4, 0))])


@pytest.mark.parametrize("y, message", [
    ([["N", "V"], ["N", np.nan]], r"y\[1\] contains a missing value"),
    ([["N", "V"], ["N", None]], r"y\[1\] contains a missing value"),
    ([[0.0, np.nan], [1.0, 0.0]], r"y\[0\] contains a missing value"),
    ([np.array([0.0, np.nan]), np.array([1.0, 0.0])], "y contains NaN")])
def test_a_missing_string_label_is_refused_not_read_as_a_class(y, message):
    # np.asarray(['N', nan]) would make it the string 'nan'.
    with pytest.raises(ValueError, match=message):
        RecurrentTagger(hidden_size=4, max_iter=1, num_layers=1).fit(["ab", "cd"], y)


def test_partial_fit_refuses_nan_among_the_classes():
    with pytest.raises(ValueError, match="classes contains NaN"):
        RecurrentTagger(hidden_size=4, num_layers=1).partial_fit(
            ["ab"], [[0.0, 1.0]], classes=[0.0, 1.0, np.nan])


def test_a_warm_start_refuses_another_output_layer():
    tagger = RecurrentTagger(hidden_size=4, max_iter=1, num_layers=1, crf=False,
                             warm_start=True).fit(["ab", "cd"], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"crf True \(fitted with False\)"):
        tagger.set_params(crf=True).fit(["ab", "cd"], [[0, 1], [1, 0]])


def test_a_warm_start_refuses_other_forbidden_transitions():
    """The CRF's allowed transitions are built with it: 'bio' set afterwards
    was not applied (predictions broke it), and None gave a warm fit on data
    with a newly allowed transition an infinite loss ("diverged")."""
    X, y = ["abcd", "bcda"], [["B-X", "I-X", "O", "O"], ["O", "B-X", "I-X", "O"]]
    tagger = RecurrentTagger(hidden_size=4, max_iter=1, num_layers=1,
                             forbidden_transitions="bio", warm_start=True).fit(X, y)
    for change in (None, [("O", "I-X")]):
        with pytest.raises(ValueError, match=r"forbidden_transitions .* \(fitted with 'bio'\)"):
            tagger.set_params(forbidden_transitions=change).fit(X, y)
        with pytest.raises(ValueError, match="partial_fit always continues"):
            tagger.partial_fit(X, y)
    tagger.set_params(forbidden_transitions="bio").fit(X, y)  # unchanged: continues
    assert tagger.n_iter_ == 2


def test_the_same_forbidden_transitions_written_otherwise_are_not_a_change():
    X, y = ["abcd", "bcda"], [["B-X", "I-X", "O", "O"], ["O", "B-X", "I-X", "O"]]
    tagger = RecurrentTagger(hidden_size=4, max_iter=1, num_layers=1, warm_start=True,
                             forbidden_transitions=[("O", "I-X")]).fit(X, y)
    for same in ((("O", "I-X"),), [["O", "I-X"]]):
        tagger.set_params(forbidden_transitions=same).fit(X, y)
    assert tagger.n_iter_ == 3
