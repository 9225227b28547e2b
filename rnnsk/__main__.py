"""The main job: ``python -m rnnsk`` trains an LSTM on the Japanese Vowels
recordings shipped with the package and scores it on the held-out speakers'
test utterances, printing progress as it goes."""
import argparse
import time

from sklearn.pipeline import make_pipeline

from rnnsk import LSTMClassifier, SequenceScaler, __version__
from rnnsk.datasets import load_japanese_vowels


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnnsk", description=__doc__)
    parser.add_argument("--epochs", type=int, default=200, help="maximum epochs (max_iter)")
    parser.add_argument("--seed", type=int, default=0, help="random_state of the model")
    args = parser.parse_args(argv)

    train = load_japanese_vowels(subset="train")
    test = load_japanese_vowels(subset="test")
    print(f"rnnsk {__version__}: Japanese Vowels, {len(train.data)} training and "
          f"{len(test.data)} test utterances, 12 features, {len(train.target_names)} speakers")
    model = make_pipeline(
        SequenceScaler(),
        LSTMClassifier(max_iter=args.epochs, random_state=args.seed, verbose=1))
    started = time.perf_counter()
    model.fit(train.data, train.target)
    seconds = time.perf_counter() - started
    accuracy = model.score(test.data, test.target)
    print(f"Trained in {seconds:.1f} s ({model[-1].n_iter_} epochs); "
          f"test accuracy {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
