"""One step of optax's ``sgd``, ``adam`` and ``adamw``, JAX's own optimizers: the optax adapter's steps
(:mod:`impls.optax_lib.optim`), which set a state given in PyTorch's terms into optax's, chain
``optax.add_decayed_weights`` in front for PyTorch's L2 decay, and make one ``opt.update``. jax_native checks the
same optax code the scoreboard's optax column does; its declared deviations are in ``deviations.py``."""
from impls.optax_lib.optim import adam_step, adamw_step, sgd_step

__all__ = ["sgd_step", "adam_step", "adamw_step"]
