"""Dropout: JAX has no built-in (``jax.nn`` has none; flax's ``nn.Dropout`` is not a dependency), so
this implementation does not provide it."""

__all__: list[str] = []
