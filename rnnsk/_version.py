"""The version of rnnsk, and of the format its pickles are written in."""

__version__ = "0.1.0"

# Raised whenever what a pickle holds changes meaning, so an old pickle is refused
# with a clear error instead of misbehaving.
PICKLE_FORMAT = 1
