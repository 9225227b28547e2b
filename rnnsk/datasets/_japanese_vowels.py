"""Loader for the UCI Japanese Vowels data set, shipped with the package."""

from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_japanese_vowels"]

_DATA_FILE = "japanese_vowels.npz"
_SUBSETS = ("train", "test", "all")
_FEATURE_NAMES = [f"lpc_cepstrum_{i}" for i in range(1, 13)]
_TARGET_NAMES = np.array([str(i) for i in range(1, 10)])

_DESCR = """\
.. _japanese_vowels_dataset:

Japanese Vowels data set
------------------------

**Data Set Characteristics:**

:Number of Instances: 640 utterances (270 train, 370 test), 9961 time steps
:Sequence length: 7 to 29 time steps (ragged, not padded)
:Number of Attributes: 12 real LPC cepstrum coefficients per time step
:Classes: 9 speakers, labelled '1' to '9'
:Train class counts: 30 per speaker
:Test class counts: 31, 35, 88, 44, 29, 24, 40, 50, 29 (speakers 1 to 9)
:Missing Attribute Values: None
:Creators: Mineichi Kudo, Jun Toyama, Masaru Shimbo (Hokkaido University)
:Licence: Creative Commons Attribution 4.0 International (CC BY 4.0)

Nine male speakers uttered the two Japanese vowels /ae/ successively. Each
utterance was analysed with 12-degree linear prediction analysis (sampling
rate 10 kHz, frame length 25.6 ms, shift 6.4 ms), giving one discrete time
series of 12 LPC cepstrum coefficients per utterance. The task is to
identify the speaker. The train set has 30 utterances per speaker; the test
set was recorded at different opportunities and has 24 to 88 per speaker.
Utterances are in the original order (speaker by speaker).

The values are exactly those of the UCI files ``ae.train`` and ``ae.test``
(6 decimals), taken from the copy shipped in the aeon 1.6.0 wheel; see
``rnnsk/datasets/data/README.md`` in the source tree.

.. dropdown:: References

  - M. Kudo, J. Toyama and M. Shimbo (1999). "Multidimensional Curve
    Classification Using Passing-Through Regions". Pattern Recognition
    Letters, 20(11-13), 1103-1111.
  - M. Kudo, J. Toyama and M. Shimbo. Japanese Vowels [Dataset]. UCI
    Machine Learning Repository, https://doi.org/10.24432/C5NS47 (CC BY 4.0).
"""


def _split(flat, lengths, dtype):
    flat = np.asarray(flat, dtype=dtype)
    return np.split(flat, np.cumsum(lengths)[:-1], axis=0)


def load_japanese_vowels(*, subset="train", return_X_y=False, dtype=np.float64):
    """Load the Japanese Vowels data set (speaker classification).

    A multivariate time-series classification data set from the UCI Machine
    Learning Repository: 640 utterances of the vowels /ae/ by 9 male
    speakers, each a sequence of 7 to 29 frames of 12 LPC cepstrum
    coefficients. The data ship with rnnsk; nothing is downloaded.

    =================   ==============================
    Classes                                          9
    Samples (train)                                270
    Samples (test)                                 370
    Sequence length                            7 .. 29
    Features per step                               12
    =================   ==============================

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which part of the standard split to load. ``"all"`` returns the
        train sequences followed by the test sequences.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch object.
    dtype : floating dtype, default=np.float64
        Dtype of the returned sequences. The stored values have 6 decimals
        and are exact in float64.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : list of ndarray of shape (n_timesteps_i, 12)
            The sequences, one 2-D array per utterance (ragged: the number of
            time steps differs between utterances). This is the input format
            accepted by the rnnsk estimators.
        target : ndarray of shape (n_samples,), dtype str
            The speaker of each utterance, ``'1'`` to ``'9'``.
        feature_names : list of str
            The names of the 12 features, ``lpc_cepstrum_1`` to
            ``lpc_cepstrum_12``.
        target_names : ndarray of shape (9,), dtype str
            The class labels, ``'1'`` to ``'9'``.
        frame : None
            No DataFrame form exists for ragged sequences.
        DESCR : str
            The full description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` is the list of sequences and ``target`` the array of labels
        described above.

    Raises
    ------
    ValueError
        If ``subset`` is not one of ``"train"``, ``"test"`` or ``"all"``, or
        ``dtype`` is not a floating dtype.

    Notes
    -----
    Source: UCI Machine Learning Repository, "Japanese Vowels" by M. Kudo,
    J. Toyama and M. Shimbo, licensed under CC BY 4.0
    (https://doi.org/10.24432/C5NS47).

    Examples
    --------
    >>> from rnnsk.datasets import load_japanese_vowels
    >>> X, y = load_japanese_vowels(subset="train", return_X_y=True)
    >>> len(X), X[0].shape
    (270, (20, 12))
    >>> y[:3]
    array(['1', '1', '1'], dtype='<U1')
    """
    if not isinstance(subset, str) or subset not in _SUBSETS:
        raise ValueError(
            f"subset must be one of {', '.join(repr(s) for s in _SUBSETS)}; got {subset!r}."
        )
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype must be a floating dtype; got {dtype}.")

    parts = ("train", "test") if subset == "all" else (subset,)
    data, targets = [], []
    source = resources.files(__package__).joinpath("data", _DATA_FILE)
    with source.open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
        for part in parts:
            data.extend(_split(npz[f"X_{part}"], npz[f"lengths_{part}"], dtype))
            targets.append(npz[f"y_{part}"])
    target = np.concatenate(targets)

    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=None,
        feature_names=list(_FEATURE_NAMES),
        target_names=_TARGET_NAMES.copy(),
        DESCR=_DESCR,
    )
