"""Forecast the airline passengers series with a GRU, and compare with the naive forecasts.

Train on the first 120 months (1949-1958); forecast the last 24 (1959-1960) as
two 12-month-ahead forecasts, one made at the end of 1958 and one at the end
of 1959 (a rolling origin: the second forecast sees the true 1959). The errors
are compared with the two standard benchmarks of this series:

- naive: every future month equals the last observed month;
- seasonal naive: every future month equals the same month one year earlier.

Run from anywhere once rnnsk is installed::

    python docs/examples/forecast_airline.py
"""
import numpy as np

from rnnsk import GRURegressor, last_window, make_windows
from rnnsk.datasets import load_airline_passengers

N_TRAIN = 120   # months used for training: 1949-01 .. 1958-12
LOOKBACK = 24   # months of history each forecast reads
HORIZON = 12    # months forecast at once


def forecast_airline(random_state=0):
    """Fit the model and return the test months, the truth and every forecast
    (each of shape (2, 12), in passengers), plus the fitted model and the
    forecast of 1961."""
    airline = load_airline_passengers()
    passengers = airline.data

    # The seasonal swings grow with the level: the logarithm makes them
    # additive. Standardize with the training months only (no peeking).
    log = np.log(passengers)
    mean, std = log[:N_TRAIN].mean(), log[:N_TRAIN].std()
    z = (log - mean) / std

    # Supervised windows: 24 months in, the next 12 months out. Training
    # windows lie entirely in the first 120 months; the two test windows start
    # their targets at months 121 and 133 (stride=HORIZON tiles the 24 months).
    X_train, y_train = make_windows(z[:N_TRAIN], lookback=LOOKBACK, horizon=HORIZON)
    X_test, _ = make_windows(z[N_TRAIN - LOOKBACK:], lookback=LOOKBACK, horizon=HORIZON,
                             stride=HORIZON)

    # The series trends upward, so test levels lie above every training level.
    # Expressing each window and its targets relative to the window's last
    # value lets the network learn the *shape* of the coming year (growth and
    # season), which carries over to new levels.
    def relative(X):
        return X - X[:, -1:, :], X[:, -1:, 0]

    X_rel, level = relative(X_train)
    model = GRURegressor(hidden_size=32, learning_rate_init=0.01, max_iter=200,
                         random_state=random_state)
    model.fit(X_rel, y_train - level)

    def predict(X):
        X_rel, level = relative(X)
        return np.exp((model.predict(X_rel) + level) * std + mean)

    truth = passengers[N_TRAIN:].reshape(2, HORIZON)
    origin_values = passengers[N_TRAIN - 1::HORIZON][:2]          # months 120 and 132
    forecasts = {
        "GRU": predict(X_test),
        "seasonal naive": passengers[N_TRAIN - HORIZON:N_TRAIN + HORIZON].reshape(2, HORIZON),
        "naive": np.repeat(origin_values[:, None], HORIZON, axis=1),
    }
    # Beyond the end of the data: the 12 months of 1961, from the last 24 months.
    beyond = predict(last_window(z, lookback=LOOKBACK))[0]
    return {"months": airline.months[N_TRAIN:], "truth": truth, "forecasts": forecasts,
            "model": model, "forecast_1961": beyond}


def mean_absolute_errors(result):
    return {name: float(np.mean(np.abs(forecast - result["truth"])))
            for name, forecast in result["forecasts"].items()}


if __name__ == "__main__":
    result = forecast_airline()
    print(f"Test months {result['months'][0]} .. {result['months'][-1]} "
          f"(two 12-month-ahead forecasts); mean absolute error, thousands of passengers:")
    for name, mae in mean_absolute_errors(result).items():
        print(f"  {name:<15} {mae:7.2f}")
    print(f"GRU trained for {result['model'].n_iter_} epochs.")
    print("Forecast of 1961:", np.round(result["forecast_1961"]).astype(int).tolist())
