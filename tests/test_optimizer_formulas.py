"""The optimizer's formulas against a plain numpy implementation of the published
ones, written here independently of rnnsk's: Adam as Kingma & Ba give it, SGD with
momentum and Nesterov momentum as torch.optim.SGD documents it, each with and
without the L2 term rnnsk offers (``alpha``: lambda * theta added to the gradient
of the weights, not the biases or an embedding table).

Every place rnnsk steps parameters runs the same functors (src/optimizer_math.hpp):
the CPU core, the device network (on its host emulator here, the ``emulated_gpu``
fixture) and the host arrays of the input part and the head
(src/host_optimizer.cpp), dense or, for an embedding's sparse gradient, lazily on
the gradient's rows. Each is checked against the reference on the same steps.
"""
import numpy as np
import pytest

from rnnsk import RecurrentNetwork
from rnnsk._optim import AdamOptimizer, SGDOptimizer, add_weight_decay
from rnnsk._sparse import SparseRows

STEPS = 5
LAMBDA = 0.05
# Not the defaults, so that a constant used in the wrong place shows.
ADAM = dict(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6)
SGD = dict(learning_rate=0.05, momentum=0.7)


class ReferenceAdam:
    """Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015),
    Algorithm 1 with the step of its Section 2's last paragraph:
    alpha_t = alpha sqrt(1 - beta_2^t) / (1 - beta_1^t) and
    theta_t = theta_{t-1} - alpha_t m_t / (sqrt(v_t) + epsilon_hat).
    ``rows`` restricts a step to some rows (a lazy step; t counts every step)."""

    def __init__(self, theta, learning_rate, beta_1, beta_2, epsilon):
        self.theta = theta.astype(np.float64)
        self.m = np.zeros_like(self.theta)
        self.v = np.zeros_like(self.theta)
        self.t = 0
        self.alpha, self.beta_1, self.beta_2, self.epsilon = (learning_rate, beta_1, beta_2,
                                                               epsilon)

    def step(self, g, rows=slice(None)):
        self.t += 1
        self.m[rows] = self.beta_1 * self.m[rows] + (1 - self.beta_1) * g
        self.v[rows] = self.beta_2 * self.v[rows] + (1 - self.beta_2) * g ** 2
        alpha_t = self.alpha * np.sqrt(1 - self.beta_2 ** self.t) / (1 - self.beta_1 ** self.t)
        self.theta[rows] -= alpha_t * self.m[rows] / (np.sqrt(self.v[rows]) + self.epsilon)


class ReferenceSGD:
    """torch.optim.SGD's documented algorithm (dampening 0): b_t = mu b_{t-1} + g_t
    (b_1 = g_1), then g_t + mu b_t with Nesterov or b_t without, times -lr."""

    def __init__(self, theta, learning_rate, momentum, nesterov):
        self.theta = theta.astype(np.float64)
        self.b = None
        self.lr, self.mu, self.nesterov = learning_rate, momentum, nesterov

    def step(self, g, rows=slice(None)):
        if self.b is None:
            self.b = np.zeros_like(self.theta)
        self.b[rows] = self.mu * self.b[rows] + g
        direction = g + self.mu * self.b[rows] if self.nesterov else self.b[rows]
        self.theta[rows] -= self.lr * direction


RULES = {
    "adam": ("adam", None, 0.0),
    "adam+l2": ("adam", None, LAMBDA),
    "sgd momentum": ("sgd", False, 0.0),
    "sgd nesterov": ("sgd", True, 0.0),
    "sgd nesterov+l2": ("sgd", True, LAMBDA),
}


def reference(rule, theta):
    solver, nesterov, _ = RULES[rule]
    if solver == "adam":
        return ReferenceAdam(theta, **ADAM)
    return ReferenceSGD(theta, nesterov=nesterov, **SGD)


def optimizer(rule, parameters, networks=()):
    solver, nesterov, _ = RULES[rule]
    if solver == "adam":
        return AdamOptimizer(parameters, networks=networks, **ADAM)
    return SGDOptimizer(parameters, nesterov=nesterov, networks=networks, **SGD)


def tolerance(dtype):
    # float64 differs from the reference by rounding alone; float32 computes in
    # float32 what the reference computes in float64.
    return dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("device", ["cpu", "emulated"])
def test_a_network_steps_by_the_published_formulas(request, device, rule, dtype):
    if device == "emulated":
        request.getfixturevalue("emulated_gpu")
    network = RecurrentNetwork("lstm", 3, 2, num_layers=2, dtype=dtype, random_state=0,
                               device="cpu" if device == "cpu" else "cuda")
    # L2 on the weight matrices, not the biases.
    decayed = np.concatenate([np.full(value.size, name.startswith("weight"))
                              for name, value in network.parameters.items()])
    expected = reference(rule, network.flat_parameters)
    stepping = optimizer(rule, [], networks=[network])
    l2 = RULES[rule][2]
    rng = np.random.default_rng(1)
    for _ in range(STEPS):
        g = rng.standard_normal(decayed.size).astype(dtype)
        theta = expected.theta.copy()
        network.flat_gradients = g
        if l2:
            add_weight_decay([], [], [], l2, networks=[network])
        stepping.step([], [], networks=[network])
        expected.step(g + l2 * decayed * theta)
        np.testing.assert_allclose(network.flat_parameters, expected.theta, **tolerance(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("rule", RULES)
def test_host_arrays_step_by_the_published_formulas(rule, dtype):
    """A head's weight and bias (dense) and an embedding table (sparse
    gradients: only the rows a step uses change, the lazy rule)."""
    rng = np.random.default_rng(2)
    table = rng.standard_normal((7, 3)).astype(dtype)
    weight = rng.standard_normal((3, 4)).astype(dtype)
    bias = rng.standard_normal(4).astype(dtype)
    parameters = [table, weight, bias]
    masks = [None, np.ones_like(weight), np.zeros_like(bias)]
    expected = [reference(rule, p) for p in parameters]
    stepping = optimizer(rule, parameters)
    l2 = RULES[rule][2]
    for _ in range(STEPS):
        rows = np.sort(rng.choice(len(table), size=3, replace=False)).astype(np.int64)
        g_rows = rng.standard_normal((3, 3)).astype(dtype)
        g_weight, g_bias = (rng.standard_normal(p.shape).astype(dtype) for p in (weight, bias))
        gradients = [SparseRows(rows, g_rows.copy(), table.shape), g_weight.copy(),
                     g_bias.copy()]
        weight_before = expected[1].theta.copy()
        add_weight_decay(parameters, gradients, masks, l2)
        stepping.step(parameters, gradients)
        expected[0].step(g_rows, rows)
        expected[1].step(g_weight + l2 * weight_before)
        expected[2].step(g_bias)
        for got, want in zip(parameters, expected):
            np.testing.assert_allclose(got, want.theta, **tolerance(dtype))
