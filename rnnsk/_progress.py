"""Progress within an epoch (``verbose=2``), in the spirit of Keras' ``fit``.

On a terminal one line is redrawn in place (``\\r``), at most ten times a second;
elsewhere (a notebook's captured output, a log file) a plain line is printed
each time another tenth of the epoch is done, so logs stay short.
"""
import math
import sys
import time

_BAR_WIDTH = 30
_REDRAW_SECONDS = 0.1


def format_duration(seconds):
    """Keras' style: 7s, 2:05, 1:02:05."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{seconds:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


class EpochProgress:
    """Reports samples done, a bar, the time left and the running loss of one
    epoch of ``n_samples`` samples."""

    def __init__(self, epoch, n_samples, stream=None):
        self.epoch = epoch
        self.n_samples = n_samples
        self.stream = sys.stdout if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.in_place = bool(isatty and isatty())
        self.started = self.drawn = time.perf_counter()
        self.done = 0
        self.weight = 0.0
        self.next_tenth = 1
        self.width = 0  # of the line drawn in place, to clear it

    def update(self, samples, epoch_loss, weight):
        """After a minibatch of ``samples`` samples of total ``weight``;
        ``epoch_loss`` is the weighted loss summed over the epoch so far."""
        self.done += samples
        self.weight += weight
        now = time.perf_counter()
        if self.in_place:
            if now - self.drawn >= _REDRAW_SECONDS or self.done == self.n_samples:
                self._write("\r" + self._line(now, epoch_loss).ljust(self.width))
                self.drawn = now
        elif self.done * 10 >= self.next_tenth * self.n_samples:
            self.next_tenth = math.floor(self.done * 10 / self.n_samples) + 1
            self._write(self._line(now, epoch_loss) + "\n")

    def close(self):
        """Clear the line drawn in place, so the epoch's summary replaces it."""
        if self.in_place and self.width:
            self._write("\r" + " " * self.width + "\r")

    def _line(self, now, epoch_loss):
        digits = len(str(self.n_samples))
        filled = _BAR_WIDTH * self.done // self.n_samples
        bar = "=" * filled + (">" if filled < _BAR_WIDTH else "") + "." * (
            _BAR_WIDTH - filled - 1)
        elapsed = now - self.started
        if self.done < self.n_samples:
            timing = f"ETA: {format_duration(elapsed / self.done * (self.n_samples - self.done))}"
        else:
            timing = f"{format_duration(elapsed)}"
        loss = f"{epoch_loss / self.weight:.5f}" if self.weight > 0 else "-"
        line = (f"Epoch {self.epoch}: {self.done:>{digits}}/{self.n_samples} [{bar}] - "
                f"{timing} - loss: {loss}")
        if self.in_place:
            self.width = max(self.width, len(line))
        return line

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()
