"""Build ``rnnsk/datasets/data/japanese_vowels.npz`` from the aeon wheel.

This script is NOT part of the installed package; it documents (and can
repeat) how the shipped data file was made.  It needs only numpy and the
standard library: aeon is downloaded as a wheel and read as a zip archive,
never installed::

    pip download aeon==1.6.0 --no-deps -d /tmp/jv
    python docs/data/convert_japanese_vowels.py /tmp/jv/aeon-1.6.0-py3-none-any.whl

The source files are ``aeon/datasets/data/JapaneseVowels/JapaneseVowels_TRAIN.ts``
and ``..._TEST.ts`` (the unequal-length version; the ``_eq_`` files in the
same folder are padded/resampled to length 25 and are NOT used).  See
``rnnsk/datasets/data/README.md`` for provenance and licence.
"""

import argparse
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

N_FEATURES = 12
CLASSES = [str(i) for i in range(1, 10)]
# Per-speaker counts documented by UCI (size_ae.train / size_ae.test).
EXPECTED_COUNTS = {
    "train": [30] * 9,
    "test": [31, 35, 88, 44, 29, 24, 40, 50, 29],
}
# Total number of frames (time steps) in ae.train / ae.test.
EXPECTED_STEPS = {"train": 4274, "test": 5687}
SOURCE_MEMBERS = {
    "train": "aeon/datasets/data/JapaneseVowels/JapaneseVowels_TRAIN.ts",
    "test": "aeon/datasets/data/JapaneseVowels/JapaneseVowels_TEST.ts",
}
# sha256 of the two members of aeon-1.6.0-py3-none-any.whl that were converted.
SOURCE_SHA256 = {
    "train": "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd",
    "test": "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462",
}
DEFAULT_OUT = (
    Path(__file__).resolve().parents[2] / "rnnsk" / "datasets" / "data" / "japanese_vowels.npz"
)


def read_source(source, subset):
    """Return the raw bytes of one .ts file, from a wheel or from a folder."""
    source = Path(source)
    member = SOURCE_MEMBERS[subset]
    if source.is_dir():
        path = source / member
        if not path.exists():  # also accept the JapaneseVowels folder itself
            path = source / Path(member).name
        return path.read_bytes()
    with zipfile.ZipFile(source) as zf:
        return zf.read(member)


def parse_ts(text):
    """Parse an unequal-length multivariate .ts file.

    Returns a list of (T_i, 12) float64 arrays and a list of str labels.
    Header lines start with '#' or '@'; each data line holds 12 dimensions
    separated by ':' (values within a dimension separated by ','), then the
    class label.
    """
    header = {}
    sequences, labels = [], []
    in_data = False
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if line.lower() == "@data":
                in_data = True
            elif line.startswith("@"):
                key, _, value = line[1:].partition(" ")
                header[key.lower()] = value.strip()
            continue
        parts = line.split(":")
        if len(parts) != N_FEATURES + 1:
            raise ValueError(f"line {lineno}: {len(parts) - 1} dimensions, expected {N_FEATURES}")
        dims = []
        for d in parts[:-1]:
            tokens = d.split(",")
            # Padding/missing markers of the .ts format: refuse rather than guess.
            if any(t.strip() in ("?", "") or "nan" in t.lower() for t in tokens):
                raise ValueError(f"line {lineno}: missing value or padding marker")
            dims.append([float(t) for t in tokens])
        lengths = {len(d) for d in dims}
        if len(lengths) != 1:
            raise ValueError(f"line {lineno}: dimensions of unequal length {sorted(lengths)}")
        sequences.append(np.asarray(dims, dtype=np.float64).T.copy())
        labels.append(parts[-1].strip())
    return header, sequences, labels


def check_subset(subset, header, sequences, labels):
    assert header.get("equallength") == "false", header
    assert header.get("missing") == "false", header
    assert header.get("dimensions") == str(N_FEATURES), header
    counts = [labels.count(c) for c in CLASSES]
    assert counts == EXPECTED_COUNTS[subset], counts
    # The UCI files list the utterances speaker by speaker: keep that order.
    assert labels == [c for c, n in zip(CLASSES, counts) for _ in range(n)]
    lengths = np.array([len(s) for s in sequences])
    assert all(s.shape[1] == N_FEATURES for s in sequences)
    assert lengths.min() >= 7 and lengths.max() <= 29, (lengths.min(), lengths.max())
    assert lengths.sum() == EXPECTED_STEPS[subset], lengths.sum()
    assert all(np.isfinite(s).all() for s in sequences)
    # No trailing padding: no sequence ends with a repeated or all-zero frame.
    for s in sequences:
        assert not np.array_equal(s[-1], s[-2]), "repeated last frame (padding?)"
        assert np.any(s[-1] != 0.0), "all-zero last frame (padding?)"
    return lengths


def write_npz(path, arrays):
    """np.savez_compressed, but with a fixed timestamp so the bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compresslevel=9)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="aeon wheel (.whl) or a folder holding the .ts files")
    parser.add_argument("-o", "--output", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)

    arrays = {}
    for subset in ("train", "test"):
        raw = read_source(args.source, subset)
        digest = hashlib.sha256(raw).hexdigest()
        if digest != SOURCE_SHA256[subset]:
            print(f"warning: {subset} source sha256 {digest} differs from the recorded one",
                  file=sys.stderr)
        header, sequences, labels = parse_ts(raw.decode("utf-8"))
        lengths = check_subset(subset, header, sequences, labels)
        arrays[f"X_{subset}"] = np.concatenate(sequences, axis=0).astype(np.float64)
        arrays[f"lengths_{subset}"] = lengths.astype(np.int64)
        arrays[f"y_{subset}"] = np.array(labels, dtype="<U1")
        print(f"{subset}: {len(sequences)} sequences, {lengths.sum()} steps, "
              f"lengths {lengths.min()}..{lengths.max()}, "
              f"counts {[labels.count(c) for c in CLASSES]}")

    write_npz(args.output, arrays)

    # Round trip: re-read and compare with the parsed text.
    with np.load(args.output, allow_pickle=False) as npz:
        for key, arr in arrays.items():
            assert npz[key].dtype == arr.dtype and np.array_equal(npz[key], arr), key
    out = Path(args.output)
    print(f"wrote {out} ({out.stat().st_size} bytes), "
          f"sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
