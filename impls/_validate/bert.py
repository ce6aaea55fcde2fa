"""Argument checks for the BERT components (SPEC 3.8), shared by every built-in implementation.

Backends hand over shapes, dtype names (``"int64"``, ``"torch.float32"``, ``"bfloat16"``...) and plain
Python values; nothing here touches an array.
"""
import numbers

from impls._validate import dtype_name

EMBEDDING_KEYS = ("word", "position", "token_type", "ln_weight", "ln_bias")

_FLOATS = ("float16", "bfloat16", "float32", "float64")


def is_int_dtype(dtype) -> bool:
    """True for signed and unsigned integer dtype names (never bool)."""
    name = dtype_name(dtype)
    return name.startswith(("int", "uint")) and name[-1].isdigit()


def check_seed(seed, where: str) -> int:
    """``seed`` as a plain non-negative int; every backend seeds its own generator with it."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{where}: seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"{where}: seed must be >= 0, got {seed}")
    return int(seed)


def check_int_ids(name: str, dtype, where: str) -> None:
    """Token/type ids index tables, so a float or bool array is a caller's mistake, not a cast to make."""
    if not is_int_dtype(dtype):
        raise TypeError(f"{where}: {name} must be an integer array (int64 or int32), got dtype "
                        f"{dtype_name(dtype)}")


def check_id_range(name: str, lo, hi, bound: int, where: str, table: str) -> None:
    """Observed ids ``lo..hi`` (None for an empty array) must index a table of ``bound`` rows."""
    if lo is None:
        return
    if lo < 0 or hi >= bound:
        bad = lo if lo < 0 else hi
        raise ValueError(f"{where}: {name} contains {bad}, outside [0, {bound}) ({table} has {bound} rows)")


def require_keys(params, keys, where: str) -> None:
    """``params`` must be a mapping holding every name in ``keys``."""
    if not hasattr(params, "keys") or not hasattr(params, "__getitem__"):
        raise TypeError(f"{where}: params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"{where}: params lacks {', '.join(repr(k) for k in missing)} "
                         f"(needs {', '.join(keys)})")


def check_bert_embeddings(ids_shape, ids_dtype, types_shape, types_dtype, meta: dict) -> tuple[int, int, int]:
    """Validate ``bert_embeddings`` arguments; ``meta`` maps each of EMBEDDING_KEYS to ``(shape, dtype)``.

    ``types_shape`` is None when no token types are given (all type 0). Returns ``(V, P, T)``, the row
    counts of the word, position and token-type tables, for the backend's range checks.
    """
    where = "bert_embeddings"
    ids_shape = tuple(ids_shape)
    check_int_ids("input_ids", ids_dtype, where)
    if len(ids_shape) != 2:
        raise ValueError(f"{where}: input_ids must be (B, L), got shape {ids_shape}")
    if types_shape is not None:
        check_int_ids("token_type_ids", types_dtype, where)
        if tuple(types_shape) != ids_shape:
            raise ValueError(f"{where}: token_type_ids shape {tuple(types_shape)} must equal input_ids shape "
                             f"{ids_shape}")
    dtypes = {k: dtype_name(meta[k][1]) for k in EMBEDDING_KEYS}
    for k, name in dtypes.items():
        if name not in _FLOATS:
            raise TypeError(f"{where}: params[{k!r}] must be a float array, got dtype {name}")
    if len(set(dtypes.values())) != 1:
        raise TypeError(f"{where}: params must share one float dtype, got {dtypes}")
    shapes = {k: tuple(meta[k][0]) for k in EMBEDDING_KEYS}
    if len(shapes["word"]) != 2:
        raise ValueError(f"{where}: params['word'] must be (V, d), got shape {shapes['word']}")
    d = shapes["word"][1]
    if d < 1 or shapes["word"][0] < 1:
        raise ValueError(f"{where}: params['word'] must be non-empty (V, d), got shape {shapes['word']}")
    for k in ("position", "token_type"):
        if len(shapes[k]) != 2 or shapes[k][1] != d or shapes[k][0] < 1:
            raise ValueError(f"{where}: params[{k!r}] must be (rows >= 1, d={d}), got shape {shapes[k]}")
    for k in ("ln_weight", "ln_bias"):
        if shapes[k] != (d,):
            raise ValueError(f"{where}: params[{k!r}] must be (d,) = ({d},), got shape {shapes[k]}")
    num_positions = shapes["position"][0]
    if ids_shape[1] > num_positions:
        raise ValueError(f"{where}: sequence length L={ids_shape[1]} exceeds the {num_positions} rows of "
                         f"params['position']")
    return shapes["word"][0], num_positions, shapes["token_type"][0]


def check_mlm_mask(ids_dtype, seed, vocab_size, mask_token_id, special_token_ids, mask_prob) -> tuple:
    """Validate ``mlm_mask`` arguments; returns ``(seed, special_token_ids as a sorted tuple of ints)``."""
    where = "mlm_mask"
    check_int_ids("input_ids", ids_dtype, where)
    seed = check_seed(seed, where)
    for name, value in (("vocab_size", vocab_size), ("mask_token_id", mask_token_id)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{where}: {name} must be an int, got {type(value).__name__}")
    if vocab_size < 1:
        raise ValueError(f"{where}: vocab_size must be >= 1, got {vocab_size}")
    if mask_token_id < 0:
        raise ValueError(f"{where}: mask_token_id must be >= 0, got {mask_token_id}")
    if isinstance(mask_prob, bool) or not isinstance(mask_prob, numbers.Real):
        raise TypeError(f"{where}: mask_prob must be a float, got {type(mask_prob).__name__}")
    if not (0.0 <= mask_prob <= 1.0):  # NaN fails this too
        raise ValueError(f"{where}: mask_prob must lie in [0, 1], got {mask_prob}")
    try:
        specials = tuple(special_token_ids)
    except TypeError:
        raise TypeError(f"{where}: special_token_ids must be a sequence of ints, got "
                        f"{type(special_token_ids).__name__}") from None
    for s in specials:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(f"{where}: special_token_ids must hold ints, got {s!r}")
    return seed, tuple(sorted({int(s) for s in specials}))


def check_mlm_ids_range(lo, hi, vocab_size: int) -> None:
    """Input ids must be vocabulary ids: ``0 <= id < vocab_size``."""
    check_id_range("input_ids", lo, hi, vocab_size, "mlm_mask", "the vocabulary")
