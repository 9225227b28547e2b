"""Forecast a seasonal series with prediction intervals, and plot them against the truth.

A RecurrentForecaster with two stacked LSTM layers (as in the classic tutorial)
is fitted on the airline passengers as they are — no logarithm, no scaling by
hand: each window is made relative to its own level and scale inside the
forecaster, so the upward trend does not matter. It forecasts the last 12
months (1960) directly, with split-conformal intervals calibrated on the last
part of the training months, and is compared with the seasonal naive forecast
(every month as one year earlier).

Run from anywhere once rnnsk is installed (matplotlib draws the figure when it
is there)::

    python docs/examples/forecast_intervals.py
"""
import numpy as np

from rnnsk import RecurrentForecaster
from rnnsk.datasets import load_airline_passengers

HORIZON = 12

airline = load_airline_passengers()
passengers = airline.data.astype(float)
train, truth = passengers[:-HORIZON], passengers[-HORIZON:]

forecaster = RecurrentForecaster(window_length=24, horizon=HORIZON, num_layers=2,
                                 random_state=0)
forecaster.fit(train)
forecast = forecaster.predict()                    # the 12 months after the training data
intervals = {coverage: forecaster.predict_interval(coverage=coverage)
             for coverage in (0.8, 0.95)}

seasonal_naive = train[-12:]
print(f"mean absolute error, thousands of passengers, {airline.months[-HORIZON]} .. "
      f"{airline.months[-1]}:")
print(f"  stacked LSTM forecaster {np.mean(np.abs(forecast - truth)):7.2f}")
print(f"  seasonal naive          {np.mean(np.abs(seasonal_naive - truth)):7.2f}")
for coverage, (lower, upper) in intervals.items():
    inside = np.mean((truth >= lower) & (truth <= upper))
    print(f"{coverage:.0%} interval: mean width {np.mean(upper - lower):6.1f}, "
          f"holds {inside:.0%} of the 12 true months")

try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    steps = np.arange(len(passengers))
    future = steps[-HORIZON:]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(steps[-60:], passengers[-60:], color="black", label="truth")
    for coverage, alpha in ((0.95, 0.2), (0.8, 0.35)):
        lower, upper = intervals[coverage]
        ax.fill_between(future, lower, upper, color="tab:blue", alpha=alpha,
                        label=f"{coverage:.0%} interval")
    ax.plot(future, forecast, color="tab:blue", label="forecast")
    ax.plot(future, seasonal_naive, color="tab:orange", linestyle="--",
            label="seasonal naive")
    ax.set_xticks(steps[-60::12], [airline.months[i][:4] for i in steps[-60::12]])
    ax.set_ylabel("passengers (thousands)")
    ax.set_title("Airline passengers: 1960 forecast by a stacked LSTM")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig("forecast_intervals.png", dpi=80)
    print("figure written to forecast_intervals.png")
