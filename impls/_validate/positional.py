"""Argument checks for the positional-encoding family (SPEC 3.7), shared by every built-in backend.

Each function takes shapes, dtype names (``"float32"``, ``"int64"``; torch's ``"torch.int64"`` is accepted)
and plain Python values, and raises ``ValueError``/``TypeError`` with a message naming the component.
"""
import math
import numbers

from impls._validate import dtype_name

_INT_DTYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"}
_FLOAT_DTYPES = {"float16", "bfloat16", "float32", "float64"}


def _int(component, name, value, *, minimum):
    # bool is an int subclass; True as a length is almost certainly a mistake
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{component}: {name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{component}: {name}={value} must be >= {minimum}")
    return int(value)


def _base(component, base):
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise TypeError(f"{component}: base must be a real number, got {type(base).__name__}")
    if not (math.isfinite(base) and base > 0):
        raise ValueError(f"{component}: base={base} must be finite and > 0")
    return float(base)


def _float_dtype(component, name, dtype):
    if dtype_name(dtype) not in _FLOAT_DTYPES:
        raise TypeError(f"{component}: {name} must be a float array "
                        f"({', '.join(sorted(_FLOAT_DTYPES))}), got {dtype_name(dtype)}")


def _int_dtype(component, name, dtype):
    if dtype_name(dtype) not in _INT_DTYPES:
        raise TypeError(f"{component}: {name} must be an integer array (int64 or int32), got {dtype_name(dtype)}")


def sinusoidal_positions(num_positions, dim, base):
    """Checks ``sinusoidal_positions``; returns ``(num_positions, dim, base)`` as plain int, int, float."""
    num_positions = _int("sinusoidal_positions", "num_positions", num_positions, minimum=0)
    dim = _int("sinusoidal_positions", "dim", dim, minimum=2)
    if dim % 2:
        raise ValueError(f"sinusoidal_positions: dim={dim} must be even (sin/cos pairs)")
    return num_positions, dim, _base("sinusoidal_positions", base)


def rope(x_shape, x_dtype, positions_shape, positions_dtype, base):
    """Checks ``rope``: x ``(..., L, D)`` float with D even, positions ``(L,)`` integer; returns ``base``."""
    if len(x_shape) < 2:
        raise ValueError(f"rope: x must have shape (..., L, D), got {tuple(x_shape)}")
    _float_dtype("rope", "x", x_dtype)
    length, head_dim = x_shape[-2], x_shape[-1]
    if head_dim < 2 or head_dim % 2:
        raise ValueError(f"rope: head dim D={head_dim} must be even and positive (pairs are rotated)")
    _int_dtype("rope", "positions", positions_dtype)
    if tuple(positions_shape) != (length,):
        raise ValueError(f"rope: positions must have shape (L,) = ({length},) to match x {tuple(x_shape)}, "
                         f"got {tuple(positions_shape)}")
    return _base("rope", base)


def t5_bucket_options(component, bidirectional, num_buckets, max_distance):
    """Checks T5 bucketing options; returns ``max_exact``, the number of exactly represented distances."""
    num_buckets = _int(component, "num_buckets", num_buckets, minimum=1)
    max_distance = _int(component, "max_distance", max_distance, minimum=1)
    half = num_buckets // 2 if bidirectional else num_buckets
    max_exact = half // 2
    if max_exact < 1:
        need = 4 if bidirectional else 2
        raise ValueError(f"{component}: num_buckets={num_buckets} too small, need >= {need} "
                         f"({'bidirectional' if bidirectional else 'unidirectional'})")
    if max_distance <= max_exact:
        raise ValueError(f"{component}: max_distance={max_distance} must exceed the exact range "
                         f"max_exact={max_exact} (log-spaced buckets span max_exact..max_distance)")
    return max_exact


def t5_relative_position_bucket(relative_position_dtype, bidirectional, num_buckets, max_distance):
    """Checks ``t5_relative_position_bucket``: integer positions and usable bucket options."""
    _int_dtype("t5_relative_position_bucket", "relative_position", relative_position_dtype)
    t5_bucket_options("t5_relative_position_bucket", bidirectional, num_buckets, max_distance)


def _query_key_lengths(component, q_len, k_len):
    q_len = _int(component, "q_len", q_len, minimum=0)
    k_len = _int(component, "k_len", k_len, minimum=0)
    if q_len > k_len:
        raise ValueError(f"{component}: q_len={q_len} > k_len={k_len}; queries are the last q_len of the "
                         f"k_len key positions, so q_len <= k_len")
    return q_len, k_len


def relative_position_bias(q_len, k_len, table_shape, table_dtype, bidirectional, max_distance):
    """Checks ``relative_position_bias``: lengths, a float ``(num_buckets, H)`` table, bucket options."""
    q_len, k_len = _query_key_lengths("relative_position_bias", q_len, k_len)
    if len(table_shape) != 2:
        raise ValueError(f"relative_position_bias: table must have shape (num_buckets, H), got {tuple(table_shape)}")
    _float_dtype("relative_position_bias", "table", table_dtype)
    t5_bucket_options("relative_position_bias", bidirectional, table_shape[0], max_distance)
    return q_len, k_len


def alibi_bias(num_heads, q_len, k_len):
    """Checks ``alibi_bias``; returns ``(num_heads, q_len, k_len)`` as plain ints."""
    num_heads = _int("alibi_bias", "num_heads", num_heads, minimum=1)
    q_len, k_len = _query_key_lengths("alibi_bias", q_len, k_len)
    return num_heads, q_len, k_len
