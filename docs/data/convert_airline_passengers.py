"""Build ``rnnsk/datasets/data/airline_passengers.csv.gz`` from the aeon wheel.

This script is NOT part of the installed package; it documents (and can
repeat) how the shipped data file was made.  It needs only numpy and the
standard library: aeon is downloaded as a wheel and read as a zip archive,
never installed::

    pip download aeon==1.6.0 --no-deps -d /tmp/jv
    python docs/data/convert_airline_passengers.py /tmp/jv/aeon-1.6.0-py3-none-any.whl

The source file is ``aeon/datasets/data/Airline/Airline.csv`` (header
``Date,Passengers``, one ``YYYY-MM,<integer>`` row per month).  See
``rnnsk/datasets/data/README.md`` for provenance and licence.
"""

import argparse
import gzip
import hashlib
import io
import sys
from pathlib import Path

import numpy as np

SOURCE_MEMBER = "aeon/datasets/data/Airline/Airline.csv"
# sha256 of that member of aeon-1.6.0-py3-none-any.whl.
SOURCE_SHA256 = "28af0eb869db6d9fbd31d5af03993a0cbf36c0857c3eb046a068c094b60da851"
DEFAULT_OUT = (
    Path(__file__).resolve().parents[2] / "rnnsk" / "datasets" / "data"
    / "airline_passengers.csv.gz"
)
# Box & Jenkins, Series G: the first and last year, the total and the extremes
# of the 144 values (as in the independent copy in pmdarima 2.1.1).
FIRST_YEAR = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118]
LAST_YEAR = [417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432]
TOTAL, MINIMUM, MAXIMUM = 40363, 104, 622


def read_source(source):
    """Raw bytes of Airline.csv, from the wheel or from a folder/file."""
    source = Path(source)
    if source.is_dir():
        path = source / SOURCE_MEMBER
        if not path.exists():
            path = source / Path(SOURCE_MEMBER).name
        return path.read_bytes()
    if source.suffix == ".csv":
        return source.read_bytes()
    import zipfile

    with zipfile.ZipFile(source) as zf:
        return zf.read(SOURCE_MEMBER)


def parse_csv(text):
    """Return (months as 'YYYY-MM' strings, passenger counts as int64)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines[0] != "Date,Passengers":
        raise ValueError(f"unexpected header {lines[0]!r}")
    months, values = [], []
    for lineno, line in enumerate(lines[1:], 2):
        month, value = line.split(",")
        if len(month) != 7 or month[4] != "-":
            raise ValueError(f"line {lineno}: month {month!r} is not YYYY-MM")
        if not value.isdigit():  # refuses blanks, NaN, decimals and signs
            raise ValueError(f"line {lineno}: value {value!r} is not a whole number")
        months.append(month)
        values.append(int(value))
    return months, np.array(values, dtype=np.int64)


def check(months, values):
    expected = [f"{year}-{month:02d}" for year in range(1949, 1961) for month in range(1, 13)]
    assert months == expected, "months are not 1949-01 .. 1960-12, each once, in order"
    assert values.shape == (144,)
    assert values[:12].tolist() == FIRST_YEAR, values[:12]
    assert values[-12:].tolist() == LAST_YEAR, values[-12:]
    assert (values.sum(), values.min(), values.max()) == (TOTAL, MINIMUM, MAXIMUM)


def to_csv(months, values):
    return "month,passengers\n" + "".join(f"{m},{v}\n" for m, v in zip(months, values))


def write_gzip(path, text):
    """gzip with no file name and mtime 0, so the bytes are reproducible (for
    a given zlib)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9,
                       mtime=0) as fh:
        fh.write(text.encode("ascii"))
    Path(path).write_bytes(buffer.getvalue())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="aeon wheel (.whl), a folder, or Airline.csv itself")
    parser.add_argument("-o", "--output", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)

    raw = read_source(args.source)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"warning: source sha256 {digest} differs from the recorded one",
              file=sys.stderr)
    months, values = parse_csv(raw.decode("ascii"))
    check(months, values)
    text = to_csv(months, values)
    write_gzip(args.output, text)

    # Round trip: decompress and compare with what was parsed.
    with gzip.open(args.output, "rt", encoding="ascii") as fh:
        assert fh.read() == text
    out = Path(args.output)
    print(f"{len(values)} months {months[0]}..{months[-1]}, total {values.sum()}")
    print(f"wrote {out} ({out.stat().st_size} bytes), "
          f"sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
