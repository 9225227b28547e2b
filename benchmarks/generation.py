"""Language-model speed against PyTorch, side by side in one run.

1. Generation: tokens per second sampling from a character language model (100
   tokens, embedding and hidden size H, 2 LSTM layers), for 1 and 32 samples
   generated together: rnnsk's generation loop (incremental step in the C++
   core) against a PyTorch loop over nn.Embedding, nn.LSTM (one step, state
   carried), nn.Linear, softmax and torch.multinomial, with the same weights
   (rnnsk.to_torch).
2. Training: one step (forward, backward, clipping, Adam) of a language model
   at the M shape (64 streams x 100 tokens, embedding 32, one LSTM layer of
   128, 100-token vocabulary) against the same step in PyTorch.

Both libraries on one thread, timed in alternating turns (benchmarks/_timing.py).
Run: python benchmarks/generation.py [--threads N]
(with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset).
"""
import argparse
import os
import statistics
import sys
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _timing import interleaved  # noqa: E402

import rnnsk  # noqa: E402
from rnnsk._language_model import UNKNOWN_ID, generate_tokens  # noqa: E402
from rnnsk._losses import PaddedSteps  # noqa: E402
from rnnsk._validation import Sequences  # noqa: E402

N_TOKENS = 100          # 98 characters, the unknown and the end token
GENERATED = 200         # tokens per timed call


def language_model(hidden, layers, embedding, threads):
    """A model over 98 characters after one short epoch (weights just need to
    be those of a real fit)."""
    characters = [chr(c) for c in range(33, 131)]
    text = ["".join(np.random.RandomState(0).choice(characters, 2000))]
    lm = rnnsk.RecurrentLanguageModel(hidden_size=hidden, num_layers=layers,
                                      embedding_dim=embedding, max_iter=1, batch_size=64,
                                      n_threads=threads, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm.fit(text)
    assert len(lm.tokens_) == N_TOKENS
    return lm


def generation(torch, hidden, samples, threads):
    lm = language_model(hidden, 2, hidden, threads)
    model, end = lm.model_, len(lm.tokens_) - 1
    start = lm.model_._carry_state(Sequences(np.full((1, 1), end), np.ones(1, np.int64), False),
                                   np.ones(1, np.int64), 1)
    states = [[s.repeat(samples, axis=1) for s in block] for block in start]
    rng = np.random.RandomState(0)

    def rnnsk_loop():
        # The end token is banned: every call makes GENERATED tokens per sample.
        generate_tokens(model, states, GENERATED, end, rng, banned=[UNKNOWN_ID, end])

    module = rnnsk.to_torch(lm).eval()
    first = torch.full((samples,), end, dtype=torch.int64)
    generator = torch.Generator().manual_seed(0)

    def torch_loop():
        with torch.no_grad():
            token, state = first, None
            for _ in range(GENERATED):
                output, state = module.rnn(module.embedding(token)[:, None], state)
                scores = module.head(output[:, 0])
                scores[:, [UNKNOWN_ID, end]] = -float("inf")
                token = torch.multinomial(torch.softmax(scores, 1), 1, generator=generator)[:, 0]

    times = interleaved({"rnnsk": rnnsk_loop, "torch": torch_loop}, budget=6.0)
    return {name: samples * GENERATED / statistics.median(seconds)
            for name, seconds in times.items()}


def one_step(hidden, samples, threads):
    """Microseconds to advance 2 LSTM layers by one token: the public
    RecurrentNetwork.forward on (B, 1, H) with the states passed back in,
    against the incremental step."""
    from rnnsk._incremental import IncrementalState
    network = rnnsk.RecurrentNetwork("lstm", hidden, hidden, num_layers=2, random_state=0,
                                     n_threads=threads)
    x = np.random.RandomState(0).rand(samples, 1, hidden).astype(np.float32)
    states = {"h": np.zeros((2, samples, hidden), np.float32)}
    states["c"] = states["h"].copy()
    state = IncrementalState([network], batch=samples)

    def forward():
        _, states["h"], states["c"] = network.forward(x, h0=states["h"], c0=states["c"])

    def incremental():
        state.advance(x[:, 0])

    times = interleaved({"forward": forward, "incremental": incremental}, budget=3.0,
                        max_reps=400)
    return {name: statistics.median(seconds) * 1e6 for name, seconds in times.items()}


def training(torch, threads):
    lm = language_model(128, 1, 32, threads)
    lm.set_params(bptt_steps=100)
    rng = np.random.RandomState(1)
    ids = rng.randint(N_TOKENS, size=(64, 100))
    targets = rng.randint(N_TOKENS, size=(64, 100))
    lengths = np.full(64, 100)
    batch = Sequences(ids, lengths, False)
    steps = PaddedSteps(targets, lengths)
    weights = np.ones(64)
    lm._optimizer = lm._make_optimizer()

    def rnnsk_step():
        lm._carried = None
        lm._train_step(batch, steps, weights)

    module = rnnsk.to_torch(lm)
    optimizer = torch.optim.Adam(module.parameters(), lr=lm.learning_rate_init)
    x, y = torch.as_tensor(ids), torch.as_tensor(targets)

    def torch_step():
        optimizer.zero_grad()
        output, _ = module.rnn(module.embedding(x))
        loss = torch.nn.functional.cross_entropy(module.head(output).reshape(-1, N_TOKENS),
                                                 y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), lm.max_grad_norm)
        optimizer.step()

    times = interleaved({"rnnsk": rnnsk_step, "torch": torch_step}, budget=8.0)
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 256])
    args = parser.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    # numpy's BLAS (rnnsk's embedding and decoder products) on as many threads.
    threadpool_limits(args.threads, user_api="blas")
    print(f"rnnsk {rnnsk.__version__}, torch {torch.__version__}, {args.threads} thread(s)\n")
    print("| generation | samples | rnnsk tokens/s | torch tokens/s | rnnsk / torch |")
    print("|---|---:|---:|---:|---:|")
    for hidden in args.hidden:
        for samples in (1, 32):
            rate = generation(torch, hidden, samples, args.threads)
            print(f"| 2-layer LSTM, H={hidden} | {samples} | {rate['rnnsk']:,.0f} | "
                  f"{rate['torch']:,.0f} | {rate['rnnsk'] / rate['torch']:.2f}x |", flush=True)
    print("\n| one token through 2 LSTM layers | samples | RecurrentNetwork.forward (B, 1, H) us "
          "| incremental step us | ratio |")
    print("|---|---:|---:|---:|---:|")
    for hidden in args.hidden:
        for samples in (1, 32):
            us = one_step(hidden, samples, args.threads)
            print(f"| H={hidden} | {samples} | {us['forward']:.1f} | {us['incremental']:.1f} | "
                  f"{us['forward'] / us['incremental']:.2f}x |", flush=True)
    seconds = training(torch, args.threads)
    print("\n| training step, M shape (64 x 100 tokens, E=32, LSTM H=128, V=100) | "
          "rnnsk ms | torch ms | speed-up |")
    print("|---|---:|---:|---:|")
    print(f"| forward + backward + clip + Adam | {seconds['rnnsk'] * 1e3:.2f} | "
          f"{seconds['torch'] * 1e3:.2f} | {seconds['torch'] / seconds['rnnsk']:.2f}x |")


if __name__ == "__main__":
    main()
