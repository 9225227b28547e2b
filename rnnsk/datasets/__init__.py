"""Data sets shipped with rnnsk (no download at run time)."""

from rnnsk.datasets._japanese_vowels import load_japanese_vowels

__all__ = ["load_japanese_vowels"]
