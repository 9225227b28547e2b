"""Optimizers over a list of parameter arrays, updated in place.

The semantics and defaults are scikit-learn's MLP solvers ('adam', 'sgd' with
momentum and Nesterov momentum). Every update is computed aside and applied with
one in-place operation per array, so an interrupt (Ctrl-C) between two steps
never leaves a half-updated array behind.
"""
import numpy as np


def clip_by_global_norm(gradients, max_norm):
    """Scale all gradients together so their joint L2 norm is at most ``max_norm``
    (PyTorch's ``clip_grad_norm_``). Returns the norm before clipping."""
    norm = float(np.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in gradients)))
    if max_norm is not None and norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in gradients:
            g *= scale
    return norm


class SGDOptimizer:
    def __init__(self, parameters, learning_rate, momentum=0.9, nesterov=True):
        self.parameters = parameters
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [np.zeros_like(p) for p in parameters]

    def step(self, gradients):
        for p, g, v in zip(self.parameters, gradients, self.velocities):
            v *= self.momentum
            v -= self.learning_rate * g
            if self.nesterov:
                p += self.momentum * v - self.learning_rate * g
            else:
                p += v


class AdamOptimizer:
    def __init__(self, parameters, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.parameters = parameters
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.first_moments = [np.zeros_like(p) for p in parameters]
        self.second_moments = [np.zeros_like(p) for p in parameters]

    def step(self, gradients):
        self.t += 1
        rate = (self.learning_rate * (1 - self.beta_2 ** self.t) ** 0.5
                / (1 - self.beta_1 ** self.t))
        for p, g, m, v in zip(self.parameters, gradients, self.first_moments,
                              self.second_moments):
            m *= self.beta_1
            m += (1 - self.beta_1) * g
            v *= self.beta_2
            v += (1 - self.beta_2) * g * g
            p -= rate * m / (np.sqrt(v) + self.epsilon)
