"""What the encoder-decoder parity checks share, without torch.

A case is a json-serialisable ``config`` (model sizes, cell, attention, dtype,
batch shape, seed); ``make_case`` builds the rnnsk model and a ragged
teacher-forced minibatch from it, ``run_rnnsk`` gives the loss and every
gradient by state_dict name; ``run_torch`` the same by autograd on the torch
module of ``rnnsk.to_torch`` (rnnsk/_seq2seq_torch.py), which is written from
the model's definition with torch's layers and shares no code with rnnsk's
numpy and C++ implementation.
"""
import numpy as np

from rnnsk._losses import PaddedSteps, cross_entropy, per_step
from rnnsk._seq2seq_model import START, EncoderDecoderModel
from rnnsk._validation import Sequences

TOLERANCE = {"float64": 1e-9, "float32": 1e-5}


def make_config(cell="lstm", *, attention="luong", bidirectional=False, num_layers=1,
                dtype="float64", hidden_size=5, source_embedding_dim=4,
                target_embedding_dim=3, source_vocabulary=7, target_vocabulary=6, batch=4,
                source_lengths=(5, 1, 3, 4), target_lengths=(3, 6, 1, 4), seed=0):
    return dict(cell=cell, attention=attention, bidirectional=bool(bidirectional),
                num_layers=num_layers, dtype=dtype, hidden_size=hidden_size,
                source_embedding_dim=source_embedding_dim,
                target_embedding_dim=target_embedding_dim,
                source_vocabulary=source_vocabulary, target_vocabulary=target_vocabulary,
                batch=batch, source_lengths=list(source_lengths),
                target_lengths=list(target_lengths), seed=seed)


def config_id(config):
    return "-".join([config["cell"], str(config["attention"]),
                     "bi" if config["bidirectional"] else "uni", f"L{config['num_layers']}",
                     config["dtype"]])


def make_model(config):
    return EncoderDecoderModel(
        cell=config["cell"], source_vocabulary_size=config["source_vocabulary"],
        target_vocabulary_size=config["target_vocabulary"], hidden_size=config["hidden_size"],
        num_layers=config["num_layers"], bidirectional=config["bidirectional"], dropout=0.0,
        source_embedding_dim=config["source_embedding_dim"],
        target_embedding_dim=config["target_embedding_dim"], attention=config["attention"],
        dtype=np.dtype(config["dtype"]), random_state=np.random.RandomState(config["seed"]),
        n_threads=1)


def make_inputs(config):
    """Padded source ids, decoder inputs (start token first), targets and
    sample weights; padding holds arbitrary ids that must not matter."""
    rng = np.random.RandomState(config["seed"] + 1)
    source_lengths = np.array(config["source_lengths"], dtype=np.int64)
    target_lengths = np.array(config["target_lengths"], dtype=np.int64)
    batch = config["batch"]
    sources = rng.randint(0, config["source_vocabulary"], (batch, source_lengths.max()))
    targets = rng.randint(1, config["target_vocabulary"], (batch, target_lengths.max()))
    decoder_inputs = np.concatenate([np.full((batch, 1), START), targets[:, :-1]], axis=1)
    return dict(sources=sources.astype(np.int64), source_lengths=source_lengths,
                decoder_inputs=decoder_inputs.astype(np.int64),
                targets=targets.astype(np.int64), target_lengths=target_lengths,
                weights=rng.uniform(0.5, 2.0, batch))


def run_rnnsk(model, inputs):
    """Loss and {state_dict name: gradient} of the teacher-forced minibatch."""
    sources = Sequences(inputs["sources"], inputs["source_lengths"], False)
    scores = model.forward(sources, inputs["decoder_inputs"], inputs["target_lengths"],
                           training=True, seed=0)
    loss, d_scores = per_step(cross_entropy, scores,
                              PaddedSteps(inputs["targets"], inputs["target_lengths"]),
                              inputs["weights"])
    model.backward(d_scores)
    return loss, model.gradient_dict()


def build_torch(config, state):
    """The torch module of ``config`` holding ``state`` (needs torch)."""
    import torch

    from rnnsk._seq2seq_torch import encoder_decoder_module
    module = encoder_decoder_module(torch, **{name: config[name] for name in (
        "cell", "source_vocabulary", "target_vocabulary", "hidden_size", "num_layers",
        "bidirectional", "source_embedding_dim", "target_embedding_dim", "attention")})
    module.to(torch.float64 if config["dtype"] == "float64" else torch.float32)
    module.load_state_dict({name: torch.from_numpy(value.copy())
                            for name, value in state.items()})
    return module


def run_torch(config, state, inputs):
    """Loss and {name: gradient} of the same minibatch by torch autograd."""
    import torch
    module = build_torch(config, state)
    dtype = next(module.parameters()).dtype
    loss = module.loss(*(torch.from_numpy(inputs[name]) for name in
                         ("sources", "source_lengths", "decoder_inputs", "targets",
                          "target_lengths")),
                       torch.from_numpy(inputs["weights"]).to(dtype))
    loss.backward()
    return float(loss.detach()), {name: p.grad.numpy() for name, p in module.named_parameters()}


def assert_close(actual, reference, dtype, what):
    tol = TOLERANCE[dtype]
    reference = np.asarray(reference, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(reference)))) if reference.size else 1.0
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), reference, rtol=tol,
                               atol=tol * scale, err_msg=what)
