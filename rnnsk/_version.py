"""The version of rnnsk, and of the format its pickles are written in."""
from importlib.metadata import version

# Written once, in meson.build; the installed package's metadata carries it.
__version__ = version("rnnsk")

# Raised whenever what a pickle holds changes meaning, so an old pickle is refused
# with a clear error instead of misbehaving. 2: the model's output part is a head
# object (rnnsk/_heads.py). 3: the recurrent networks' optimizer moments live in
# their C++ cores, the optimizer's own lists hold the host arrays' only (a format-2
# optimizer would pair a head's weights with a network's moments).
PICKLE_FORMAT = 3
