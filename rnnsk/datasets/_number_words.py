"""Numbers written out in words, in several languages: a sequence-to-sequence
task generated offline with the ``num2words`` package (an optional
dependency: ``pip install num2words``, or the ``seq2seq`` extra)."""
from sklearn.utils import check_random_state

from .._validation import check_int

__all__ = ["make_number_words"]


# 10**18 is the largest power of ten below 2**63: numbers of more digits
# cannot be drawn as integers.
_MOST_DIGITS = 18


def _import_num2words():
    try:
        import num2words
    except ImportError as error:
        raise ImportError("make_number_words needs the num2words package, which rnnsk does "
                          "not depend on: pip install num2words") from error
    return num2words


def _check_arguments(n_samples, languages, max_digits, known):
    """``languages`` as a list, once every argument is checked; ``known``
    are the language codes num2words has."""
    check_int(n_samples, "n_samples", 0)
    check_int(max_digits, "max_digits", 1, _MOST_DIGITS, "numbers are drawn as 64-bit integers")
    if isinstance(languages, str):
        raise TypeError(f"languages must be a sequence of language codes, e.g. "
                        f"({languages!r},), got the str {languages!r}")
    languages = list(languages)
    if not languages:
        raise ValueError("languages must name at least one language")
    # (num2words reads a code it lacks, such as 'en_US', as its first two letters)
    unknown = [language for language in languages if not isinstance(language, str)
               or (language not in known and language[:2] not in known)]
    if unknown:
        raise ValueError(f"num2words has no language {unknown[0]!r}; it has "
                         f"{', '.join(sorted(known))}")
    return languages


def make_number_words(n_samples=10000, *, languages=("en", "fr"), max_digits=4,
                      random_state=0):
    """Sources such as ``"en 4312"`` and their targets ``"four thousand, three
    hundred and twelve"`` (``"fr 4312"``: ``"quatre mille trois cent douze"``).

    Each sample draws a language uniformly from ``languages`` (any code
    num2words knows), a number of digits uniformly from 1 to ``max_digits``
    and a number of that many digits uniformly. The (language, number) pairs
    are distinct, so ``X[:k]``/``X[k:]`` is a split whose held-out numbers were
    never seen in training in that language: the split the benchmarks and docs
    use.

    Parameters
    ----------
    n_samples : int, default=10000
    languages : sequence of str, default=("en", "fr")
    max_digits : int, default=4
    random_state : int, RandomState instance or None, default=0

    Returns
    -------
    X : list of str
        Language code, a space, the number in digits.
    Y : list of str
        The number in words, as ``num2words(number, lang=language)`` writes it.
    """
    package = _import_num2words()
    num2words = package.num2words
    languages = _check_arguments(n_samples, languages, max_digits, package.CONVERTER_CLASSES)
    available = len(languages) * 10 ** max_digits
    if n_samples > available:
        raise ValueError(f"only {available} distinct (language, number) pairs have at most "
                         f"{max_digits} digits; n_samples={n_samples} is too many")
    rng = check_random_state(random_state)
    seen, X, Y = set(), [], []
    while len(X) < n_samples:
        language = languages[rng.randint(len(languages))]
        digits = rng.randint(1, max_digits + 1)
        number = int(rng.randint(0 if digits == 1 else 10 ** (digits - 1), 10 ** digits))
        if (language, number) in seen:
            continue
        seen.add((language, number))
        X.append(f"{language} {number}")
        Y.append(num2words(number, lang=language))
    return X, Y
