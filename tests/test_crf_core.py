"""The C++ linear-chain CRF (src/crf.cpp through rnnsk._core) against brute-force
enumeration, finite differences and torch autograd (live, or the stored answers
of tests/fixtures/crf_reference.npz when torch is missing)."""
import itertools
import os

import numpy as np
import pytest

from crf_reference import brute_force, labelling_score, random_problem, transition_gradient
from rnnsk import _core

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "crf_reference.npz")
# B->B, B->S, M->B, M->S, E->M, E->E, S->M, S->E in b/m/e/s order (0, 1, 2, 3).
BMES_FORBIDDEN = [(0, 0), (0, 3), (1, 0), (1, 3), (2, 1), (2, 2), (3, 1), (3, 2)]


def small_problems():
    rng = np.random.default_rng(0)
    for labels, steps in itertools.product((1, 2, 3), (1, 2, 3, 5)):
        yield random_problem(rng, 3, steps, labels)
    yield random_problem(rng, 4, 5, 3, forbidden=[(0, 0), (2, 1)])


@pytest.mark.parametrize("problem", list(small_problems()))
def test_log_partition_marginals_and_viterbi_match_enumeration(problem):
    emissions, lengths, tags, transitions, start, end = problem
    nll = _core.crf_loss(emissions, lengths, tags, transitions, start, end, None)
    marginals = _core.crf_posteriors(emissions, lengths, transitions, start, end)
    best, best_scores = _core.crf_decode(emissions, lengths, transitions, start, end)
    for b, length in enumerate(lengths):
        e = emissions[b, :length]
        log_z, expected_marginals, expected_best = brute_force(e, transitions, start, end)
        gold = labelling_score(e, transitions, start, end, tags[b, :length])
        np.testing.assert_allclose(nll[b], log_z - gold, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(marginals[b, :length], expected_marginals, atol=1e-12)
        assert np.all(marginals[b, length:] == 0)
        np.testing.assert_array_equal(best[b, :length], expected_best)
        assert np.all(best[b, length:] == -1)
        np.testing.assert_allclose(best_scores[b],
                                   labelling_score(e, transitions, start, end, expected_best))


@pytest.mark.parametrize("huge", ["start", "end", "transitions"])
def test_marginals_sum_to_one_per_step_whatever_the_magnitude_of_the_scores(huge):
    # Scores of 1e20 leave log Z and alpha + beta with rounding errors far above
    # 1: normalized by exp(-log Z) rows summed to 3 (what predict_proba returned).
    # They are still probabilities, if approximate ones: at that magnitude double
    # precision keeps none of the O(1) differences between labels.
    emissions, lengths, _, transitions, start, end = random_problem(
        np.random.default_rng(2), 3, 5, 3)
    scores = dict(transitions=transitions, start=start, end=end)
    scores[huge] = scores[huge].copy()
    scores[huge].flat[0] = 1e20
    marginals = _core.crf_posteriors(emissions, lengths, scores["transitions"],
                                     scores["start"], scores["end"])
    for b, length in enumerate(lengths):
        np.testing.assert_allclose(marginals[b, :length].sum(axis=1), 1.0, rtol=1e-12)
        assert np.all((marginals[b] >= 0) & (marginals[b] <= 1))


def extreme_problems():
    """(name, emissions (L, K), transitions, start, end, gold tags) where scores
    lie hundreds apart, as only loaded or diverged weights make them."""
    # Label 1 is reached from label 0 through A[0, 1] = 800 while the first
    # step all but rules label 0 out: every scaled term of the forward sum
    # into label 1 underflows.
    forward = np.zeros((3, 3))
    forward[0, 1], forward[1, 1] = 800.0, -800.0
    emissions = np.array([[-1600.0, 0.0, -1600.0], [0.0, 2000.0, 0.0]])
    yield "forward sum underflows", emissions, forward, np.zeros(3), np.zeros(3), [1, 1]
    # The same read backwards (transposed transitions, steps reversed): the
    # backward recursion's sums underflow.
    yield ("backward sum underflows", emissions[::-1].copy(), forward.T.copy(), np.zeros(3),
           np.zeros(3), [1, 1])
    # Label 2 follows only label 1, which cannot start: at step 1 label 2 is
    # unreachable whatever its emission of 800 (its forward sum is 0).
    unreachable = np.zeros((3, 3))
    unreachable[:, 2] = -np.inf
    unreachable[1, 2] = 0.0
    yield ("unreachable label", np.array([[0.0, 0.1, 0.0], [0.2, 0.0, 800.0], [0.3, 0.3, 0.1]]),
           unreachable, np.array([0.0, -np.inf, 0.0]), np.zeros(3), [0, 1, 1])
    # Label 1 reached through A[2, 1] = 600 from a label 2 the first step rules
    # out: the forward sum into it is about exp(-600), small but trusted.
    far = np.zeros((3, 3))
    far[2, 1] = 600.0
    yield ("sums near exp(-600)",
           np.array([[0.5, 0.0, -1000.0], [0.0, 700.0, 0.0], [0.3, -0.2, 0.1]]), far,
           np.array([0.1, -0.3, 0.2]), np.array([0.0, 0.4, -0.1]), [0, 1, 2])


@pytest.mark.parametrize("name, emissions, transitions, start, end, tags",
                         [pytest.param(*case, id=case[0]) for case in extreme_problems()])
def test_scores_hundreds_apart_keep_loss_marginals_and_gradients_exact(
        name, emissions, transitions, start, end, tags):
    lengths, tags = np.array([len(emissions)]), np.array([tags])
    nll, _, d_transitions, _, _ = _core.crf_loss(emissions[None], lengths, tags, transitions,
                                                 start, end, np.ones(1))
    marginals = _core.crf_posteriors(emissions[None], lengths, transitions, start, end)
    log_z, expected_marginals, _ = brute_force(emissions, transitions, start, end)
    gold = labelling_score(emissions, transitions, start, end, tags[0])
    np.testing.assert_allclose(nll[0], log_z - gold, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(marginals[0], expected_marginals, atol=1e-12)
    expected = transition_gradient(emissions, transitions, start, end, tags[0])
    np.testing.assert_allclose(d_transitions, expected, rtol=1e-9, atol=1e-12)


def test_pair_marginals_stay_probabilities_at_float32_scores_of_1e20():
    # One labelling wins by about 1e20 at every step and is the gold one: the
    # exact gradient of the transitions is 0 (its pair marginals are 0 or 1).
    transitions = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [1.0, 0.3, -2.0]], np.float32)
    emissions = np.full((1, 3, 3), -1e20, np.float32)
    emissions[0, 0, 0] = emissions[0, 1, 2] = emissions[0, 2, 1] = 1e20
    zeros = np.zeros(3, np.float32)
    _, _, d_transitions, _, _ = _core.crf_loss(emissions, np.array([3]), np.array([[0, 2, 1]]),
                                               transitions, zeros, zeros, np.ones(1, np.float32))
    np.testing.assert_array_equal(d_transitions, 0)


def test_viterbi_ties_go_to_the_lowest_label():
    zeros = np.zeros((2, 4, 3))
    tags, _ = _core.crf_decode(zeros, np.array([4, 2]), np.zeros((3, 3)), np.zeros(3),
                               np.zeros(3))
    np.testing.assert_array_equal(tags, [[0, 0, 0, 0], [0, 0, -1, -1]])


def loss_and_gradients(problem, scale):
    emissions, lengths, tags, transitions, start, end = problem
    return _core.crf_loss(emissions, lengths, tags, transitions, start, end, scale)


@pytest.mark.parametrize("forbidden", [[], [(0, 0), (2, 1)]])
def test_gradients_match_finite_differences(forbidden):
    rng = np.random.default_rng(1)
    problem = random_problem(rng, 4, 5, 3, forbidden=forbidden)
    scale = rng.uniform(0.5, 2.0, size=4)
    nll, *gradients = loss_and_gradients(problem, scale)
    emissions, lengths, tags, transitions, start, end = problem
    arrays = [emissions, transitions, start, end]

    def total(changed):
        return float(np.dot(_core.crf_loss(changed[0], lengths, tags, *changed[1:], None),
                            scale))

    eps = 1e-6
    for which, (array, gradient) in enumerate(zip(arrays, gradients)):
        for index in np.ndindex(array.shape):
            if not np.isfinite(array[index]):
                # padding, or a forbidden transition: held fixed, no gradient
                assert gradient[index] == 0
                continue
            up = [a.copy() for a in arrays]
            down = [a.copy() for a in arrays]
            up[which][index] += eps
            down[which][index] -= eps
            numeric = (total(up) - total(down)) / (2 * eps)
            np.testing.assert_allclose(gradient[index], numeric, rtol=1e-6, atol=1e-8,
                                       err_msg=f"array {which} at {index}")


def torch_cases():
    """(name, problem, scale) of the torch comparisons, float64 and float32."""
    rng = np.random.default_rng(2)
    cases = []
    for dtype in (np.float64, np.float32):
        for forbidden in ([], BMES_FORBIDDEN):
            name = f"{np.dtype(dtype).name}-{'bmes' if forbidden else 'free'}"
            problem = random_problem(rng, 6, 9, 4, dtype, forbidden=forbidden)
            scale = rng.uniform(0.5, 2.0, size=6)
            cases.append((name, problem, scale))
    return cases


def assert_gradients_match(problem, scale, expected):
    nll, d_emissions, d_transitions, d_start, d_end = loss_and_gradients(problem, scale)
    dtype = problem[0].dtype
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-9,
                                                                             atol=1e-12)
    real = np.arange(problem[0].shape[1])[None, :] < problem[1][:, None]
    np.testing.assert_allclose(nll, expected["nll"], **tolerance)
    np.testing.assert_allclose(d_emissions[real], expected["d_emissions"][real], **tolerance)
    assert np.all(d_emissions[~real] == 0)
    for name, value in [("d_transitions", d_transitions), ("d_start", d_start),
                        ("d_end", d_end)]:
        np.testing.assert_allclose(value, expected[name], **tolerance, err_msg=name)


def torch_answers(torch, problem, scale):
    from crf_reference import torch_crf_nll
    emissions, lengths, tags, transitions, start, end = problem
    tensors = [torch.tensor(np.nan_to_num(a, nan=0.0, neginf=-np.inf), requires_grad=True)
               for a in (emissions, transitions, start, end)]
    nll = torch_crf_nll(torch, tensors[0], lengths, np.where(tags < 0, 0, tags), *tensors[1:])
    (nll * torch.tensor(scale, dtype=nll.dtype)).sum().backward()
    grads = [t.grad.numpy() for t in tensors]
    grads[1] = np.where(np.isfinite(transitions), grads[1], 0.0)
    return dict(nll=nll.detach().numpy(), d_emissions=grads[0], d_transitions=grads[1],
                d_start=grads[2], d_end=grads[3])


@pytest.mark.parametrize("name, problem, scale", torch_cases(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_gradients_match_torch_autograd(name, problem, scale):
    torch = pytest.importorskip("torch")
    assert_gradients_match(problem, scale, torch_answers(torch, problem, scale))


@pytest.mark.parametrize("name, problem, scale", torch_cases(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_gradients_match_stored_torch_answers(name, problem, scale):
    with np.load(FIXTURE) as stored:
        expected = {key.split("/", 1)[1]: stored[key] for key in stored.files
                    if key.startswith(name + "/")}
    assert expected, f"no stored answers for {name}; run tests/reference/make_crf_reference.py"
    # The stored problem is the one drawn here (same seed): its inputs are compared too.
    np.testing.assert_array_equal(expected.pop("emissions"), problem[0])
    assert_gradients_match(problem, scale, expected)


def test_one_and_several_threads_give_the_same_bits():
    rng = np.random.default_rng(3)
    problem = random_problem(rng, 64, 300, 6, forbidden=[(1, 1)])
    emissions, lengths, tags, transitions, start, end = problem
    scale = rng.uniform(size=64)
    results = []
    for threads in (1, 2, 3):
        results.append(_core.crf_loss(emissions, lengths, tags, transitions, start, end, scale,
                                      threads)
                       + (_core.crf_posteriors(emissions, lengths, transitions, start, end,
                                               threads),)
                       + _core.crf_decode(emissions, lengths, transitions, start, end, threads))
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


def test_bad_input_raises_python_exceptions():
    rng = np.random.default_rng(4)
    emissions, lengths, tags, transitions, start, end = random_problem(rng, 2, 3, 3)
    with pytest.raises(ValueError, match="label 3 at step 0 of sequence 1"):
        bad = tags.copy()
        bad[1, 0] = 3
        _core.crf_loss(emissions, lengths, bad, transitions, start, end, None)
    with pytest.raises(ValueError, match="length of sequence 0 is 4"):
        _core.crf_posteriors(emissions, np.array([4, 1]), transitions, start, end)
    with pytest.raises(ValueError, match="transitions must be"):
        _core.crf_decode(emissions, lengths, transitions[:2], start, end)
    with pytest.raises(ValueError, match="lengths has 1 entries"):
        _core.crf_decode(emissions, lengths[:1], transitions, start, end)
    with pytest.raises(ValueError, match="dtype mismatch"):
        _core.crf_decode(emissions.astype(np.float32), lengths, transitions, start, end)
    for value in (np.nan, np.inf):
        spoilt = emissions.copy()
        spoilt[1, 0, 2] = value
        with pytest.raises(ValueError, match="emissions of sequence 1 hold NaN or"):
            _core.crf_loss(spoilt, lengths, tags, transitions, start, end, None)
        spoilt = transitions.copy()
        spoilt[0, 1] = value
        with pytest.raises(ValueError, match="transition scores hold NaN or"):
            _core.crf_posteriors(emissions, lengths, spoilt, start, end)
        with pytest.raises(ValueError, match="start or end scores hold NaN or"):
            _core.crf_decode(emissions, lengths, transitions, start, np.full(3, value))
    closed = np.full(3, -np.inf)
    with pytest.raises(ValueError, match="no labelling of sequence 0 is allowed"):
        _core.crf_posteriors(emissions, lengths, transitions, closed, end)
    with pytest.raises(ValueError, match="no labelling of sequence 0 is allowed"):
        _core.crf_decode(emissions, lengths, transitions, start, closed)


def test_a_forbidden_gold_labelling_has_infinite_loss():
    rng = np.random.default_rng(5)
    emissions, lengths, tags, transitions, start, end = random_problem(rng, 1, 3, 2)
    transitions[0, 0] = -np.inf
    tags[0] = [0, 0, 1]
    assert _core.crf_loss(emissions, lengths, tags, transitions, start, end, None)[0] == np.inf
