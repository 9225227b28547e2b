"""Reading long sequences in patches of consecutive steps (``patch_length``).

With a patch length k > 1 the network's step t reads steps t*k .. t*k + k - 1 of
the sequence at once, their features side by side (step by step, each step's
features in order): a sequence of T steps and F features is read as ceil(T / k)
steps of k*F features. The recurrence then runs k times fewer steps, each over
a local piece of the curve, as in segment-wise recurrent networks (SegRNN, Lin
et al. 2023) and the patches of PatchTST (Nie et al. 2023). A sequence whose
length is not a multiple of k completes its last patch by repeating its last
real step; padding, unlike zeros, reads the same before and after the affine
input standardization, so the folded first-layer weights stay exact.

Inputs that hold one value over a whole sequence (each sequence's own mean and
log standard deviation with ``sequence_standardize``: the last
``constant_inputs`` of every step) are read once per patch, after the k
steps' other features: k copies would add nothing a sum of their weights does
not, and cost as many columns of the first layer's product.
"""
import numpy as np

from ._validation import Sequences

# patch_length='auto' makes the network run between this many and twice as many
# steps of patches on a typical (median-length) sequence: sequences shorter than
# twice it are read step by step. Patches are at most _AUTO_LONGEST_PATCH steps
# long: on series of hundreds to thousands of steps, patches of 8 did better than
# wider ones. docs/guide/defaults.md has the measurements.
_AUTO_PATCHED_STEPS = 32
_AUTO_LONGEST_PATCH = 8


def auto_patch_length(lengths):
    """The patch length 'auto' gives sequences of these ``lengths``."""
    return min(_AUTO_LONGEST_PATCH, max(1, int(np.median(lengths)) // _AUTO_PATCHED_STEPS))


def patched(sequences, patch_length, constant_inputs=0):
    """``sequences`` (real-valued) read in patches of ``patch_length`` steps, the
    last ``constant_inputs`` features (the same at every step of a sequence)
    once per patch."""
    if patch_length == 1:
        return sequences
    n, steps, n_features = sequences.data.shape
    patched_steps = -(-steps // patch_length)
    # Every position of the padded patches takes the step it stands for, or the
    # sequence's last real step beyond its length (padding rows stay padding).
    positions = np.minimum(np.arange(patched_steps * patch_length),
                           np.maximum(sequences.lengths, 1)[:, None] - 1)
    rows = np.arange(n)[:, None]
    lengths = -(-sequences.lengths // patch_length)
    if not constant_inputs:
        # Indexing (sequence, position) pairs copies whole rows of features:
        # four times as fast as take_along_axis, which indexes every feature.
        data = sequences.data[rows, positions]
        return Sequences(data.reshape(n, patched_steps, patch_length * n_features), lengths,
                         sequences.is_table)
    # Only the columns read are copied, straight into the patches.
    varying = n_features - constant_inputs
    data = np.empty((n, patched_steps, patched_width(n_features, patch_length,
                                                     constant_inputs)), sequences.data.dtype)
    data[:, :, :patch_length * varying] = sequences.data[rows, positions, :varying].reshape(
        n, patched_steps, patch_length * varying)
    data[:, :, patch_length * varying:] = sequences.data[rows, positions[:, ::patch_length],
                                                         varying:]
    return Sequences(data, lengths, sequences.is_table)


def patched_width(n_features, patch_length, constant_inputs=0):
    """Inputs per step of the network: a patch's varying features, then the
    constant ones once."""
    return patch_length * (n_features - constant_inputs) + constant_inputs


def patched_columns(values, patch_length, constant_inputs=0):
    """Per-feature ``values`` (the standardization's means or scales, the
    input noise) for the inputs of a patch, in the order ``patched`` reads
    them."""
    values = np.asarray(values)
    varying = len(values) - constant_inputs
    return np.concatenate([np.tile(values[:varying], patch_length), values[varying:]])


def patched_statistics(statistics, patch_length, constant_inputs=0):
    """Per-feature (mean, scale) for the inputs of a patch."""
    return tuple(patched_columns(values, patch_length, constant_inputs)
                 for values in statistics)
