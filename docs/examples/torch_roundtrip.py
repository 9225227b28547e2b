"""Move a fitted model to PyTorch and its weights back.

A GRU regressor is fitted on ragged sequences (a list of arrays of different
lengths). ``to_torch`` builds the same model as a
``torch.nn.Module``, whose ``forward(X, lengths)`` takes a padded batch and
the length of each sequence and returns predictions in the units of ``y``.
The weights are then changed on the PyTorch side (one step of SGD) and
loaded back with ``load_state_dict``: both sides predict the same again.

torch is optional: without it this script only prints the weight names and
says that the PyTorch part is skipped.

Run from anywhere once rnnsk is installed::

    python docs/examples/torch_roundtrip.py
"""
import numpy as np

from rnnsk import GRURegressor, to_torch  # to_torch imports torch only when called

# Ragged sequences of 3 features; the target is the mean of the first feature.
rng = np.random.default_rng(0)
X = [rng.standard_normal((rng.integers(4, 12), 3)) for _ in range(200)]
y = np.array([x[:, 0].mean() for x in X])

model = GRURegressor(hidden_size=16, num_layers=2, max_iter=100, random_state=0,
                     n_threads=1, dtype="float64")
model.fit(X, y)
print("state_dict of the fitted GRURegressor:")
for name, weight in model.state_dict().items():
    print(f"  {name:<18} {weight.shape}")

try:
    import torch
except ImportError:
    print("torch is not installed: skipping the PyTorch part (pip install torch).")
    raise SystemExit(0) from None

module = to_torch(model)
print("torch module:", module.__class__.__name__, "with", type(module.rnn).__name__)

# Pad the ragged list into one batch-first tensor; padding is never read.
lengths = torch.tensor([len(x) for x in X])
padded = torch.zeros(len(X), int(lengths.max()), 3, dtype=torch.float64)
for i, x in enumerate(X):
    padded[i, :len(x)] = torch.from_numpy(x)

module.eval()
with torch.no_grad():
    torch_predictions = module(padded, lengths).squeeze(1).numpy()
print(f"largest difference, torch vs rnnsk predictions: "
      f"{np.abs(torch_predictions - model.predict(X)).max():.2e}")

# One SGD step in PyTorch, then the weights go back into the estimator.
before = model.predict(X)
module.train()
optimizer = torch.optim.SGD(module.parameters(), lr=0.05)
loss = torch.nn.functional.mse_loss(module(padded, lengths).squeeze(1),
                                    torch.from_numpy(y))
loss.backward()
optimizer.step()
model.load_state_dict(module.state_dict())
print(f"the step moved rnnsk's predictions by up to {np.abs(model.predict(X) - before).max():.2e}")
module.eval()
with torch.no_grad():
    torch_predictions = module(padded, lengths).squeeze(1).numpy()
print(f"after a PyTorch SGD step and load_state_dict, largest difference: "
      f"{np.abs(torch_predictions - model.predict(X)).max():.2e}")
