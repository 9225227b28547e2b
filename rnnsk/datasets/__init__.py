"""Data sets shipped with rnnsk (no download at run time)."""

from rnnsk.datasets._airline_passengers import load_airline_passengers
from rnnsk.datasets._japanese_vowels import load_japanese_vowels
from rnnsk.datasets._number_words import make_number_words

__all__ = ["load_airline_passengers", "load_japanese_vowels", "make_number_words"]
