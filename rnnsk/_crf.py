"""The CRF head of the taggers: per-step emission scores from a linear layer
and a linear-chain CRF over them (Huang et al. 2015, Lample et al. 2016), with
the definitions of HEADS.md. The recursions run in the C++ core (src/crf.cpp).

Forbidden transitions, starts and ends score -infinity and are held fixed: the
optimizer's arrays hold 0 there (every weight stays finite, so divergence
checks keep working) and the -infinity is applied whenever the core reads them
or the state_dict shows them.
"""
import numpy as np

from ._heads import StepHead
from ._network import _core

_NAMES = ("crf.transitions", "crf.start", "crf.end")


class CrfHead(StepHead):
    """A :class:`StepHead` whose scores are a CRF's emissions.

    ``allowed`` holds three boolean masks (transitions (K, K), start (K,),
    end (K,)); False entries are forbidden.
    """

    def __init__(self, n_features, n_labels, rng, dtype, allowed):
        super().__init__(n_features, n_labels, rng, dtype)
        self.allowed = tuple(np.asarray(mask, dtype=bool) for mask in allowed)
        # As pytorch-crf: U(-0.1, 0.1) for every CRF score.
        self.crf = [rng.uniform(-0.1, 0.1, mask.shape).astype(dtype) * mask
                    for mask in self.allowed]
        self.d_crf = [np.zeros_like(value) for value in self.crf]

    @property
    def parameters(self):
        return {**self.linear.parameters, **dict(zip(_NAMES, self.crf))}

    @property
    def gradients(self):
        return {**self.linear.gradients, **dict(zip(_NAMES, self.d_crf))}

    def scores(self):
        """(transitions, start, end) with -infinity where forbidden."""
        return tuple(np.where(mask, value, -np.inf).astype(value.dtype)
                     for mask, value in zip(self.allowed, self.crf))

    def _call(self, function, emissions, lengths, n_threads, *extra):
        emissions = np.ascontiguousarray(emissions, dtype=self.crf[0].dtype)
        return function(emissions, np.ascontiguousarray(lengths, dtype=np.int64), *extra[:1],
                        *self.scores(), *extra[1:], n_threads)

    def loss(self, emissions, targets, weights, n_threads):
        """The weighted mean over sequences of log Z - S(y) (HEADS.md) and the
        gradient of the emissions; writes the CRF scores' gradients."""
        tags = np.ascontiguousarray(np.where(targets.real(), targets.values, 0), dtype=np.int64)
        scale = weights / weights.sum()
        steps = tags.shape[1]
        nll, d_emissions, *d_crf = self._call(_core.crf_loss, emissions[:, :steps],
                                              targets.lengths, n_threads, tags, scale)
        for gradient, value in zip(self.d_crf, d_crf):
            gradient[...] = value
        padded = np.zeros_like(emissions)
        padded[:, :steps] = d_emissions
        return float(np.dot(nll, scale)), padded

    def decode(self, emissions, lengths, n_threads):
        """Viterbi labels (B, T), -1 at padding."""
        return self._call(_core.crf_decode, emissions, lengths, n_threads)[0]

    def marginals(self, emissions, lengths, n_threads):
        """P(y_t = k | x) of every step (B, T, K), zero at padding."""
        return self._call(_core.crf_posteriors, emissions, lengths, n_threads)

    def state_scores(self, state):
        """``state`` (state_dict arrays) with -infinity where forbidden."""
        for name, mask in zip(_NAMES, self.allowed):
            state[name] = np.where(mask, state[name], -np.inf).astype(state[name].dtype)
        return state

    def finite_scores(self, state):
        """``state`` with its CRF scores made finite (0 where forbidden), once the
        forbidden entries are known to be exactly those of this head."""
        state = dict(state)
        for name, mask in zip(_NAMES, self.allowed):
            if name not in state:
                continue  # named with every other missing name by the model's check
            value = np.asarray(state[name], dtype=np.float64)
            if value.shape == mask.shape and not np.array_equal(value == -np.inf, ~mask):
                raise ValueError(f"{name} must be -inf exactly where this tagger forbids a "
                                 "transition (see forbidden_transitions)")
            state[name] = np.where(value == -np.inf, 0.0, value)
        return state

    def torch_layers(self, torch):
        return {"head": self.linear.torch_layer(torch), "crf": torch_crf_layer(torch)}


def torch_crf_layer(torch):
    """The CRF scores as a torch module (``transitions``, ``start``, ``end``),
    with the forward algorithm, marginals and Viterbi decoding over emissions
    (B, T, K) and lengths (B,), as the core computes them."""
    nn = torch.nn

    class CRF(nn.Module):
        def __init__(self):
            super().__init__()
            self.transitions = nn.Parameter(torch.empty(0))
            self.start = nn.Parameter(torch.empty(0))
            self.end = nn.Parameter(torch.empty(0))

        def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
            # Sized by the weights loaded into it.
            for name in ("transitions", "start", "end"):
                if prefix + name in state_dict:
                    getattr(self, name).data = torch.empty_like(state_dict[prefix + name])
            super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

        def _alphas(self, emissions, lengths, combine):
            steps = emissions.shape[1]
            running = torch.arange(steps)[None, :] < torch.as_tensor(lengths)[:, None]
            alpha = self.start + emissions[:, 0]
            history = [alpha]
            for t in range(1, steps):
                moved = combine(alpha[:, :, None] + self.transitions[None])
                advanced = moved + emissions[:, t]
                alpha = torch.where(running[:, t, None], advanced, alpha)
                history.append(alpha)
            return alpha, history

        def log_partition(self, emissions, lengths):
            """log Z of every sequence, (B,)."""
            alpha, _ = self._alphas(emissions, lengths, lambda s: torch.logsumexp(s, dim=1))
            return torch.logsumexp(alpha + self.end, dim=1)

        def marginals(self, emissions, lengths):
            """P(y_t = k) (B, T, K): the gradient of log Z (what predict_proba gives)."""
            with torch.enable_grad():
                scores = emissions.detach().requires_grad_(True)
                log_z = self.log_partition(scores, lengths).sum()
                (marginals,) = torch.autograd.grad(log_z, scores)
            return marginals

        def viterbi(self, emissions, lengths):
            """The best labelling of every sequence (B, T), -1 at padding (what
            predict gives, as label indices)."""
            lengths = torch.as_tensor(lengths)
            steps = emissions.shape[1]
            pointers = []
            delta = self.start + emissions[:, 0]
            for t in range(1, steps):
                best, pointer = (delta[:, :, None] + self.transitions[None]).max(dim=1)
                running = (t < lengths)[:, None]
                delta = torch.where(running, best + emissions[:, t], delta)
                # A finished sequence points at its own label: backtracking passes through.
                pointers.append(torch.where(running, pointer,
                                            torch.arange(delta.shape[1]).expand_as(pointer)))
            label = (delta + self.end).argmax(dim=1)
            path = [label]
            for pointer in reversed(pointers):
                label = pointer.gather(1, label[:, None])[:, 0]
                path.append(label)
            path = torch.stack(path[::-1], dim=1)
            return torch.where(torch.arange(steps)[None, :] < lengths[:, None], path, -1)

    return CRF()
