"""Sinusoidal table that accepts an odd ``dim`` by building ``dim + 1`` columns and dropping the last cosine.

Real bug class: a "round up then slice" shortcut instead of the even-dim check, so a mis-sized model dim
gets a table whose last sin column has no cos partner. Correct for even dims. Caught by: sinusoidal_positions
``rejects_bad_input`` (odd dim).
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import sinusoidal_positions as reference_sinusoidal_positions

NAME = "mutant-positional-sinusoidal-odd-dim-truncated"
DTYPES = ("float32", "float64")
CATCHES = ("sinusoidal_positions:rejects_bad_input",)


def sinusoidal_positions(num_positions, dim, *, base=10000.0):
    if isinstance(dim, int) and dim % 2:
        return reference_sinusoidal_positions(num_positions, dim + 1, base=base)[:, :dim]  # BUG: odd dim truncated
    return reference_sinusoidal_positions(num_positions, dim, base=base)
