"""SGD that validates shapes and the Nesterov conditions but not the signs of lr, momentum and weight decay:
a negative lr silently performs gradient ascent.

Real bug class: range checks left out of a hand-written optimizer (``torch.optim.SGD`` raises for each);
a sign flipped in a schedule or a config then trains in the wrong direction without an error. Correct for
valid hyperparameters. Caught by: sgd_step ``rejects_bad_input``.
"""
import types

from impls._validate import optim as optim_checks
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import optim as numpy_optim
from tests.patching import patched

NAME = "mutant-optim-sgd-negative-hyperparameters"
DTYPES = ("float32", "float64")
CATCHES = ("sgd_step:rejects_bad_input",)


def _check_sgd(*arrays, lr, momentum, weight_decay, **options):
    """The shared check on the magnitudes of lr, momentum and weight_decay (BUG: no ``>= 0`` checks)."""
    return optim_checks.sgd_step(*arrays, lr=abs(float(lr)), momentum=abs(float(momentum)),
                                 weight_decay=abs(float(weight_decay)), **options)


# NumPy's SGD with this file's check in its validation module
sgd_step = patched(numpy_optim, V=types.SimpleNamespace(**{**vars(optim_checks), "sgd_step": _check_sgd})).sgd_step
