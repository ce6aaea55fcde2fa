"""init_transformer_params drawing from an unseeded generator (``np.random.default_rng()``): the ``seed``
argument is accepted and ignored.

Real bug class: the seed plumbed through the signature but not into the generator (or a global RNG used
instead of the passed one), so runs are not reproducible. Shapes and counts are right. Caught by:
init_transformer_params is deterministic in its seed.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import count_parameters  # noqa: F401  (correct, so the element counts still agree)
from impls.numpy import params as numpy_params
from tests.patching import patched

NAME = "mutant-params-init-seed-ignored"
DTYPES = ("float32",)
CATCHES = ("init_transformer_params:deterministic_in_seed",)


def _Init(seed):
    """The reference's draws from a fresh OS-entropy generator (BUG: the seed never reaches it)."""
    return numpy_params._Init(None)


init_transformer_params = patched(numpy_params, _Init=_Init).init_transformer_params
