"""The version of rnnsk, and of the format its pickles are written in."""
from importlib.metadata import version

# Written once, in meson.build; the installed package's metadata carries it.
__version__ = version("rnnsk")

# Raised whenever what a pickle holds changes meaning, so an old pickle is refused
# with a clear error instead of misbehaving. 2: the model's output part is a head
# object (rnnsk/_heads.py).
PICKLE_FORMAT = 2
