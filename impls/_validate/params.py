"""Argument checks for parameter counting and training-memory accounting (SPEC 3.9).

``check_config`` turns a user's config dict into a :class:`Config` every backend reads the same way;
the counting and the initialisation themselves stay in each backend.
"""
import dataclasses
import numbers

from .bert import check_seed  # noqa: F401  (re-exported: init_transformer_params seeds like mlm_mask)

CONFIG_KEYS = ("vocab_size", "d_model", "n_layers", "n_heads", "n_kv_heads", "d_ff", "max_positions", "norm",
               "ffn", "positional", "bias", "tie_embeddings")
NORMS = ("layernorm", "rmsnorm")
FFNS = ("gelu", "relu", "swiglu")
POSITIONALS = ("learned", "sinusoidal", "rope")
OPTIMIZERS = ("adam", "adamw", "sgd")


@dataclasses.dataclass(frozen=True)
class Config:
    """A validated decoder-only transformer config; ``head_dim = d_model // n_heads``."""
    vocab_size: int
    d_model: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    d_ff: int
    max_positions: int
    norm: str
    ffn: str
    positional: str
    bias: bool
    tie_embeddings: bool

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads


def _int(config, key, minimum):
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"config[{key!r}] must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"config[{key!r}] must be >= {minimum}, got {value}")
    return int(value)


def _choice(config, key, options):
    value = config[key]
    if value not in options:
        raise ValueError(f"config[{key!r}] must be one of {', '.join(options)}; got {value!r}")
    return value


def _flag(config, key):
    value = config[key]
    if not isinstance(value, bool):
        raise TypeError(f"config[{key!r}] must be True or False, got {value!r}")
    return value


def check_config(config) -> Config:
    """Validate a transformer config dict (SPEC 3.9) and return it as a :class:`Config`.

    ``n_kv_heads=None`` means ``n_heads`` (multi-head attention), as ``num_kv_heads=None`` does in attention.
    Keys beyond the twelve are ignored, as model configs usually carry more than the shapes need.
    """
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, got {type(config).__name__}")
    missing = [k for k in CONFIG_KEYS if k not in config]
    if missing:
        raise ValueError(f"config lacks {', '.join(repr(k) for k in missing)}")
    if config["n_kv_heads"] is None:
        config = {**config, "n_kv_heads": config["n_heads"]}
    cfg = Config(
        vocab_size=_int(config, "vocab_size", 1), d_model=_int(config, "d_model", 1),
        n_layers=_int(config, "n_layers", 0), n_heads=_int(config, "n_heads", 1),
        n_kv_heads=_int(config, "n_kv_heads", 1), d_ff=_int(config, "d_ff", 1),
        max_positions=_int(config, "max_positions", 1), norm=_choice(config, "norm", NORMS),
        ffn=_choice(config, "ffn", FFNS), positional=_choice(config, "positional", POSITIONALS),
        bias=_flag(config, "bias"), tie_embeddings=_flag(config, "tie_embeddings"))
    if cfg.d_model % cfg.n_heads:
        raise ValueError(f"config: d_model={cfg.d_model} must be divisible by n_heads={cfg.n_heads}")
    if cfg.n_heads % cfg.n_kv_heads:
        raise ValueError(f"config: n_heads={cfg.n_heads} must be divisible by n_kv_heads={cfg.n_kv_heads}")
    return cfg


def check_memory_args(num_params, optimizer, mixed_precision) -> int:
    """Validate ``training_memory_bytes`` arguments; returns ``num_params`` as a Python int."""
    where = "training_memory_bytes"
    if isinstance(num_params, bool) or not isinstance(num_params, numbers.Integral):
        raise TypeError(f"{where}: num_params must be an int, got {type(num_params).__name__}")
    if num_params < 0:
        raise ValueError(f"{where}: num_params must be >= 0, got {num_params}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"{where}: optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}")
    if not isinstance(mixed_precision, bool):
        raise TypeError(f"{where}: mixed_precision must be True or False, got {mixed_precision!r}")
    return int(num_params)


ZERO_STAGES = (0, 1, 2, 3)
RECOMPUTES = ("none", "selective", "full")


def _whole(value, name, where, minimum):
    """``value`` as a Python int >= ``minimum``; bools and non-integers are a TypeError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {value}")
    return int(value)


def check_zero_args(zero_stage, num_devices) -> tuple[int, int]:
    """Validate ZeRO's ``zero_stage`` (0-3) and ``num_devices`` (>= 1) of ``training_memory_bytes``."""
    where = "training_memory_bytes"
    stage = _whole(zero_stage, "zero_stage", where, 0)
    if stage not in ZERO_STAGES:
        raise ValueError(f"{where}: zero_stage must be one of 0, 1, 2, 3; got {stage}")
    return stage, _whole(num_devices, "num_devices", where, 1)


def check_kv_cache_args(config, batch_size, seq_len, bytes_per_element) -> tuple[Config, int, int, int]:
    """Validate ``kv_cache_bytes`` arguments: a config, and ints batch_size, seq_len, bytes_per_element >= 1."""
    where = "kv_cache_bytes"
    cfg = check_config(config)
    return (cfg, _whole(batch_size, "batch_size", where, 1), _whole(seq_len, "seq_len", where, 1),
            _whole(bytes_per_element, "bytes_per_element", where, 1))


def check_activation_args(config, batch_size, seq_len, recompute) -> tuple[Config, int, int, str]:
    """Validate ``activation_memory_bytes`` arguments: a config, ints batch_size, seq_len >= 1 and
    ``recompute`` one of none, selective, full."""
    where = "activation_memory_bytes"
    cfg = check_config(config)
    b, s = _whole(batch_size, "batch_size", where, 1), _whole(seq_len, "seq_len", where, 1)
    if not isinstance(recompute, str) or recompute not in RECOMPUTES:
        raise ValueError(f"{where}: recompute must be one of {', '.join(RECOMPUTES)}; got {recompute!r}")
    return cfg, b, s, recompute
