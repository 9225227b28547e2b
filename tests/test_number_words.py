"""make_number_words: num2words' own answers, distinct pairs, a fixed seed."""
import pytest

from rnnsk.datasets import make_number_words

num2words = pytest.importorskip("num2words").num2words


def test_pairs_are_num2words_answers_distinct_and_seeded():
    X, Y = make_number_words(300, languages=("en", "fr", "de"), max_digits=3, random_state=1)
    assert len(X) == len(Y) == len(set(X)) == 300
    for x, y in zip(X, Y):
        language, number = x.split(" ")
        assert language in {"en", "fr", "de"} and 0 <= int(number) < 1000
        assert y == num2words(int(number), lang=language)
    assert make_number_words(300, languages=("en", "fr", "de"), max_digits=3,
                             random_state=1) == (X, Y)
    assert "en 4312" not in X
    assert num2words(4312, lang="en") == "four thousand, three hundred and twelve"


def test_impossible_requests_are_refused():
    with pytest.raises(ValueError, match="distinct"):
        make_number_words(21, languages=("en",), max_digits=1)
    with pytest.raises(ValueError, match="at least one language"):
        make_number_words(5, languages=())
