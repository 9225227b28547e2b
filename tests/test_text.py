"""Tests of TextSequencer, alone and before an LSTMClassifier with embedding."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from rnnsk import LSTMClassifier, TextSequencer

DOCS = ["the cat sat on the mat", "the dog sat", "a cat and a dog", "The Cat!"]


def test_ids_by_frequency_then_alphabet():
    seq = TextSequencer().fit(DOCS)
    # counts: the 4, cat 3, and/dog/sat 2... ("a" is one letter: not a token)
    assert seq.vocabulary_ == {"the": 1, "cat": 2, "dog": 3, "sat": 4, "and": 5, "mat": 6,
                               "on": 7}
    assert seq.vocabulary_size_ == 8
    out = seq.transform(DOCS)
    assert isinstance(out, list) and len(out) == 4
    assert all(s.dtype == np.int64 and s.ndim == 1 for s in out)
    np.testing.assert_array_equal(out[0], [1, 2, 4, 7, 1, 6])
    np.testing.assert_array_equal(out[3], [1, 2])


def test_ids_do_not_depend_on_document_order():
    a = TextSequencer().fit(DOCS).vocabulary_
    b = TextSequencer().fit(DOCS[::-1]).vocabulary_
    assert a == b


def test_max_tokens_keeps_the_most_frequent():
    seq = TextSequencer(max_tokens=3).fit(DOCS)
    assert seq.vocabulary_ == {"the": 1, "cat": 2, "dog": 3}
    assert seq.vocabulary_size_ == 4
    # everything else maps to the OOV id 0
    np.testing.assert_array_equal(seq.transform(["the cat sat on the mat"])[0],
                                  [1, 2, 0, 0, 1, 0])
    # a limit above the number of tokens changes nothing
    assert TextSequencer(max_tokens=100).fit(DOCS).vocabulary_ == \
        TextSequencer().fit(DOCS).vocabulary_


def test_min_frequency_counts_occurrences():
    seq = TextSequencer(min_frequency=2).fit(DOCS)
    assert seq.vocabulary_ == {"the": 1, "cat": 2, "dog": 3, "sat": 4}
    # "and" occurs twice in one document: occurrences, not documents, count
    assert TextSequencer(min_frequency=2).fit(["and and", "x yy"]).vocabulary_ == {"and": 1}
    # both limits: frequency filter first, then the top max_tokens
    assert TextSequencer(min_frequency=2, max_tokens=2).fit(DOCS).vocabulary_ == \
        {"the": 1, "cat": 2}


def test_unknown_tokens_and_empty_documents_map_to_oov():
    seq = TextSequencer().fit(DOCS)
    out = seq.transform(["zebra cat unicorn", "", "!!! ?", "a b c", "zebra"])
    np.testing.assert_array_equal(out[0], [0, 2, 0])
    # no token at all: one OOV step, never an empty sequence
    for empty in out[1:4]:
        np.testing.assert_array_equal(empty, [0])
    np.testing.assert_array_equal(out[4], [0])
    ids = seq.transform(["anything at all here"])
    assert max(int(s.max()) for s in ids) < seq.vocabulary_size_


def test_lowercase():
    low = TextSequencer().fit(["Cat cat CAT dog"])
    assert low.vocabulary_ == {"cat": 1, "dog": 2}
    np.testing.assert_array_equal(low.transform(["CAT Dog"])[0], [1, 2])
    keep = TextSequencer(lowercase=False).fit(["Cat cat CAT dog"])
    assert keep.vocabulary_ == {"CAT": 1, "Cat": 2, "cat": 3, "dog": 4}
    np.testing.assert_array_equal(keep.transform(["cat DOG"])[0], [3, 0])


def test_custom_tokenizer_and_token_pattern():
    seq = TextSequencer(tokenizer=str.split).fit(["a b, a c", "b a"])
    # str.split keeps one-letter words and punctuation
    assert seq.vocabulary_ == {"a": 1, "b": 2, "b,": 3, "c": 4}
    np.testing.assert_array_equal(seq.transform(["c a z"])[0], [4, 1, 0])
    # the tokenizer sees the lowercased text
    seen = []
    TextSequencer(tokenizer=lambda doc: seen.append(doc) or doc.split()).fit(["Hello World"])
    assert seen == ["hello world"]
    # a generator is fine too
    assert TextSequencer(tokenizer=lambda d: (w for w in d.split())).fit(
        ["x y x"]).vocabulary_ == {"x": 1, "y": 2}
    chars = TextSequencer(token_pattern=r"(?u)\b\w+\b").fit(["a b a"])
    assert chars.vocabulary_ == {"a": 1, "b": 2}


def test_fit_transform_equals_fit_then_transform():
    seq = TextSequencer(max_tokens=4)
    a = seq.fit_transform(DOCS)
    b = TextSequencer(max_tokens=4).fit(DOCS).transform(DOCS)
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    # numpy arrays of str are iterables of documents too
    c = TextSequencer(max_tokens=4).fit(np.array(DOCS)).transform(np.array(DOCS))
    assert all(np.array_equal(x, y) for x, y in zip(a, c))


def test_errors():
    with pytest.raises(ValueError, match="string object received"):
        TextSequencer().fit("just one string")
    with pytest.raises(ValueError, match="1-D iterable"):
        TextSequencer().fit(np.array([["a b"], ["c d"]]))
    with pytest.raises(ValueError, match="empty vocabulary"):
        TextSequencer().fit(["a", "!"])
    with pytest.raises(ValueError, match="min_frequency=5"):
        TextSequencer(min_frequency=5).fit(DOCS)
    with pytest.raises(ValueError, match="max_tokens"):
        TextSequencer(max_tokens=0).fit(DOCS)
    with pytest.raises(ValueError, match="token_pattern=None needs a tokenizer"):
        TextSequencer(token_pattern=None).fit(DOCS)
    with pytest.raises(ValueError, match="at least one document"):
        TextSequencer().fit([])
    with pytest.raises(TypeError, match=r"document 1 of X is None, not a text"):
        TextSequencer().fit(["a b", None])
    with pytest.raises(TypeError, match=r"document 0 of X is nan, not a text"):
        TextSequencer().fit(DOCS).transform([np.nan])
    # A document the analyzer cannot read, or a tokenizer returning no tokens, is
    # named (CountVectorizer's own AttributeError: 'list' has no attribute 'lower').
    with pytest.raises(TypeError, match=r"X\[1\], \['c d'\], could not be tokenized "
                                        r"\(AttributeError: 'list' object has no attribute "
                                        r"'lower'\)"):
        TextSequencer().fit(["a b", ["c d"]])
    with pytest.raises(TypeError, match=r"X\[0\], .*, could not be tokenized \(TypeError: "
                                        r"'NoneType' object is not iterable\)"):
        TextSequencer(tokenizer=lambda d: None).fit(DOCS)
    # Pre-tokenized documents through an identity tokenizer stay accepted.
    tokens = TextSequencer(tokenizer=lambda d: d, token_pattern=None, lowercase=False)
    assert len(tokens.fit_transform([["hello", "world"], ["world"]])[0]) == 2
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        TextSequencer().transform(DOCS)


def test_char_analyzer_reads_text_without_spaces():
    docs = ["这个手机很好", "这个手机不好", "很好很好！"]
    seq = TextSequencer(analyzer="char").fit(docs)
    # Every character is a token, by frequency then code point (好 4, 很 3, ...).
    assert list(seq.vocabulary_)[:2] == ["好", "很"]
    assert seq.vocabulary_size_ == len(set("".join(docs))) + 1
    ids = seq.transform(["很好", "不错", ""])
    np.testing.assert_array_equal(ids[0], [seq.vocabulary_["很"], seq.vocabulary_["好"]])
    np.testing.assert_array_equal(ids[1], [seq.vocabulary_["不"], 0])  # 错 is unseen
    np.testing.assert_array_equal(ids[2], [0])
    # As CountVectorizer(analyzer='char'): lowercased, white space runs are one space.
    latin = TextSequencer(analyzer="char").fit(["Ab  c"])
    assert set(latin.vocabulary_) == {"a", "b", " ", "c"}
    assert len(latin.transform(["Ab  c"])[0]) == 4


def test_word_segmenter_as_tokenizer():
    """A segmenter such as jieba.lcut is a tokenizer: a function from a document
    to its words (here a toy one that cuts known words greedily)."""
    words = ("手机", "很好", "不好", "这个")

    def segment(document):
        tokens, i = [], 0
        while i < len(document):
            word = next((w for w in words if document.startswith(w, i)), document[i])
            tokens.append(word)
            i += len(word)
        return tokens

    seq = TextSequencer(tokenizer=segment, token_pattern=None).fit(["这个手机很好", "手机不好"])
    assert seq.vocabulary_ == {"手机": 1, "不好": 2, "很好": 3, "这个": 4}
    np.testing.assert_array_equal(seq.transform(["这个手机不好"])[0], [4, 1, 2])


def test_char_analyzer_errors():
    with pytest.raises(ValueError, match="tokenizer is used only with analyzer='word'"):
        TextSequencer(analyzer="char", tokenizer=str.split).fit(DOCS)
    with pytest.raises(ValueError, match="analyzer"):
        TextSequencer(analyzer="char_wb").fit(DOCS)


def test_char_pipeline_learns_chinese_sentiment():
    rng = np.random.RandomState(0)
    fillers = list("这个东西我们买了用后感觉手机书")
    docs, labels = [], []
    for i in range(200):
        chars = list(rng.choice(fillers, rng.randint(4, 10)))
        chars.insert(rng.randint(len(chars) + 1), "好" if i % 2 else "差")
        docs.append("".join(chars))
        labels.append(i % 2)
    model = make_pipeline(TextSequencer(analyzer="char"),
                          LSTMClassifier(embedding_dim=8, hidden_size=8, max_iter=15,
                                         random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(docs[:150], labels[:150])
    assert model.score(docs[150:], labels[150:]) >= 0.9


def test_clone_and_pickle():
    seq = TextSequencer(max_tokens=5, min_frequency=1).fit(DOCS)
    assert clone(seq).get_params() == seq.get_params()
    again = pickle.loads(pickle.dumps(seq))
    assert again.vocabulary_ == seq.vocabulary_
    assert all(np.array_equal(a, b) for a, b in zip(again.transform(DOCS),
                                                  seq.transform(DOCS)))


# ---------------------------------------------------- with an estimator --

POSITIVE = ["good", "great", "excellent", "wonderful", "lovely", "brilliant", "enjoyable",
            "superb"]
NEGATIVE = ["bad", "terrible", "awful", "boring", "dreadful", "poor", "dull", "horrible"]
FILLERS = ["the", "movie", "film", "was", "really", "plot", "acting", "and", "story", "quite",
           "ending", "cast", "music", "very", "this", "overall", "script", "scenes"]


def make_reviews(n, seed):
    """n short 'reviews': 3-8 filler words with 1-2 sentiment words inserted."""
    rng = np.random.RandomState(seed)
    docs, labels = [], []
    for i in range(n):
        positive = i % 2 == 1
        words = list(rng.choice(FILLERS, rng.randint(3, 9)))
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randint(len(words) + 1),
                         rng.choice(POSITIVE if positive else NEGATIVE))
        docs.append(" ".join(words).capitalize() + rng.choice([".", "!", ""]))
        labels.append("positive" if positive else "negative")
    return docs, np.array(labels)


@pytest.fixture(scope="module")
def reviews():
    docs, labels = make_reviews(300, seed=0)
    return train_test_split(docs, labels, test_size=100, random_state=0, stratify=labels)


def pipeline():
    return make_pipeline(TextSequencer(), LSTMClassifier(embedding_dim=16, hidden_size=16,
                                                         max_iter=20, random_state=0))


def test_pipeline_learns_sentiment(reviews):
    X_train, X_test, y_train, y_test = reviews
    model = pipeline()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.9  # chance is 0.5
    # the estimator inferred the sequencer's vocabulary size
    sequencer, clf = model[0], model[-1]
    assert clf.model_.embedding.shape == (sequencer.vocabulary_size_, 16)
    assert set(model.predict(["a wonderful superb film", "awful, dull and boring"])) == \
        {"positive", "negative"}


@pytest.mark.parametrize("transform", ["pandas", "default"])
def test_a_pipeline_with_it_takes_set_output(transform):
    """Pipeline.set_output failed ("set_output is not available") with a
    TextSequencer in it; its token ids are returned as they are."""
    documents = ["a good film", "a bad film", "good good", "bad"]
    pipeline = make_pipeline(TextSequencer()).set_output(transform=transform)
    for got, want in zip(pipeline.fit_transform(documents),
                         TextSequencer().fit_transform(documents)):
        np.testing.assert_array_equal(got, want)


def test_unseen_tokens_at_predict_do_not_crash(reviews):
    X_train, _, y_train, _ = reviews
    # train only on documents without "superb"/"horrible": those become OOV later
    keep = [i for i, d in enumerate(X_train)
            if "superb" not in d.lower() and "horrible" not in d.lower()]
    model = pipeline()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit([X_train[i] for i in keep], y_train[keep])
    assert "superb" not in model[0].vocabulary_
    new = ["superb horrible zebra", "", "superb", "great unseenword"]
    ids = model[0].transform(new)
    assert max(int(s.max()) for s in ids) < model[0].vocabulary_size_
    proba = model.predict_proba(new)
    assert proba.shape == (4, 2) and np.allclose(proba.sum(axis=1), 1)
    assert model.predict(new[3:])[0] == "positive"


def test_explicit_vocabulary_size_when_fitting_on_other_documents(reviews):
    X_train, X_test, y_train, _ = reviews
    sequencer = TextSequencer().fit(X_train + X_test)
    # fitted on few documents, the estimator sees only some ids: give it the size
    clf = LSTMClassifier(embedding_dim=8, hidden_size=8, max_iter=2, random_state=0,
                         vocabulary_size=sequencer.vocabulary_size_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(sequencer.transform(X_train[:10]), y_train[:10])
    assert clf.model_.embedding.shape[0] == sequencer.vocabulary_size_
    assert len(clf.predict(sequencer.transform(X_test))) == len(X_test)
    # without it, the size is inferred from those few documents, and larger ids
    # later are refused with a clear error (not a crash)
    inferred = LSTMClassifier(embedding_dim=8, hidden_size=8, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        inferred.fit(sequencer.transform(X_train[:10]), y_train[:10])
    assert inferred.model_.embedding.shape[0] < sequencer.vocabulary_size_
    with pytest.raises(ValueError, match="outside the vocabulary"):
        inferred.predict(sequencer.transform(X_test))


def test_grid_search_over_max_tokens(reviews):
    X_train, X_test, y_train, y_test = reviews
    search = GridSearchCV(pipeline(), {"textsequencer__max_tokens": [4, None]}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    scores = search.cv_results_["mean_test_score"]
    # the 4 most frequent tokens are fillers: chance level; all tokens: well above
    # (with random_state=0: 0.48 and 0.85; each fold trains on only 100 reviews)
    assert scores[0] < 0.6 and scores[1] > 0.75
    assert search.best_params_ == {"textsequencer__max_tokens": None}
    assert search.score(X_test, y_test) >= 0.9


def test_token_ids_reach_an_estimator_without_embedding_as_an_error_naming_the_fix():
    documents = ["good film", "bad film", "great film", "awful film"] * 3
    y = [1, 0, 1, 0] * 3
    with pytest.raises(ValueError, match="token ids from TextSequencer.*set embedding_dim"):
        make_pipeline(TextSequencer(), LSTMClassifier(max_iter=1)).fit(documents, y)
    ids = TextSequencer().fit_transform(documents)
    assert isinstance(ids, list) and all(a.dtype == np.int64 for a in ids)
    fitted = make_pipeline(TextSequencer(), LSTMClassifier(embedding_dim=4, hidden_size=4,
                                                           max_iter=1, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert fitted.fit(documents, y).predict(documents).shape == (12,)
