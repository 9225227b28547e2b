"""Data sets shipped with rnnsk, or read from an installed package (no download at
run time)."""

from rnnsk.datasets._airline_passengers import load_airline_passengers
from rnnsk.datasets._japanese_vowels import load_japanese_vowels
from rnnsk.datasets._king_james_bible import load_king_james_bible
from rnnsk.datasets._peoples_daily import load_peoples_daily

__all__ = ["load_airline_passengers", "load_japanese_vowels", "load_king_james_bible",
           "load_peoples_daily"]
