"""Does a regularizing default wash out a regression with a signal?

The accuracy suite's regression sets have targets close to noise
(CardanoSentiment) or a weak signal (Covid3Month), where anything that shrinks
the fit towards the mean wins. This synthetic set has a clear one: 500
sequences of 30 steps, 2 features N(0, 1), target
``3 mean(x0) - 0.5 max(x1) + 0.3 mean(x1[-5:]) + 0.1 noise``; the first 400
are fitted, the rest scored (R^2), for GRU and LSTM regressors over seeds.

    python benchmarks/signal_regression.py --params input_noise=0.0 --params input_noise=auto
"""
import argparse
import ast
import warnings

import numpy as np
from sklearn.metrics import r2_score

from rnnsk import GRURegressor, LSTMRegressor


def signal_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((500, 30, 2))
    y = (3 * X[:, :, 0].mean(axis=1) - 0.5 * X[:, :, 1].max(axis=1)
         + 0.3 * X[:, -5:, 1].mean(axis=1) + 0.1 * rng.standard_normal(500))
    return X[:400], y[:400], X[400:], y[400:]


def parse_params(text):
    """'name=value,name=value' as keyword arguments (Python literals, else strings)."""
    params = {}
    for item in filter(None, text.split(",")):
        name, value = item.split("=", 1)
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    return params


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", action="append", default=[],
                        help="name=value,... given to every regressor; repeat to compare")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    X, y, X_test, y_test = signal_data()
    warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter: scored all the same
    for text in args.params or [""]:
        for regressor in (GRURegressor, LSTMRegressor):
            scores = [r2_score(y_test, regressor(random_state=seed, **parse_params(text))
                               .fit(X, y).predict(X_test)) for seed in args.seeds]
            print(f"{text or 'defaults':<24} {regressor.__name__:<14} test R^2 "
                  f"{np.mean(scores):.3f}  (seeds: {', '.join(f'{s:.3f}' for s in scores)})",
                  flush=True)


if __name__ == "__main__":
    main()
