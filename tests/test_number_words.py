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


@pytest.mark.parametrize("arguments, error, message", [
    (dict(n_samples=-1), ValueError, "n_samples must be at least 0, got -1"),
    (dict(n_samples=2.5), TypeError, "n_samples must be an integer, got 2.5"),
    (dict(max_digits=0), ValueError, "max_digits must be at least 1"),
    (dict(max_digits=30), ValueError, "max_digits must be at most 18"),
    (dict(languages="en"), TypeError, r"languages must be a sequence of language codes, "
                                      r"e.g. \('en',\), got the str 'en'"),
    (dict(languages=("en", "xx")), ValueError, "num2words has no language 'xx'; it has .*en"),
])
def test_bad_arguments_are_named(arguments, error, message):
    """-1 gave no samples, 2.5 three, 'en' num2words' empty NotImplementedError
    for the language 'e', 30 digits numpy's bounds error."""
    with pytest.raises(error, match=message):
        make_number_words(**{"n_samples": 5, **arguments})


def test_numbers_of_eighteen_digits_and_no_samples():
    X, Y = make_number_words(3, languages=("en",), max_digits=18, random_state=0)
    assert len(X) == 3 and all(y == num2words(int(x.split()[1]), lang="en")
                               for x, y in zip(X, Y))
    assert make_number_words(0) == ([], [])


def test_regional_codes_num2words_reads_are_accepted():
    """num2words reads 'en_US' as 'en'; the check of the codes had refused it."""
    X, Y = make_number_words(4, languages=("en_US", "de"), max_digits=2, random_state=0)
    assert all(x.split()[0] in {"en_US", "de"} for x in X)
    assert all(y == num2words(int(x.split()[1]), lang=x.split()[0]) for x, y in zip(X, Y))
