"""Properties of init_transformer_params (docs/contract.md 3.9 and section 4, "Parameters"). Everything here is
structural (shapes, determinism), so every check runs once, without a float dtype.

The family's configs, strategies and helpers: :mod:`properties.params_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_equal, assert_rejects, require
from properties.oracle import expected
from properties.params_common import _init, _leaves, _register_config_rejects, config_inputs, expected_shapes
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import NO_DTYPE, prop


def _shape_multiset(shapes) -> list:
    return sorted(tuple(int(i) for i in s) for s in shapes)


_register_config_rejects("init_transformer_params", __name__,
                         lambda subject, c, cfg, why, seed: assert_rejects(subject, c, cfg, why=why, seed=seed))


@prop("init_transformer_params", "matches_oracle", inputs=config_inputs, dtypes=(NO_DTYPE,), max_examples=15,
      statement="init_transformer_params(config) holds tensors of the same shapes as the NumPy oracle's (as a "
                "multiset: names and nesting are the implementation's), all finite floats (values are random: "
                "each implementation has its own generator).")
def init_oracle(subject, case):
    cfg, seed = case["config"], case["seed"]
    got = _shape_multiset(a.shape for _, a in _init(subject, cfg, seed))
    want = _shape_multiset(np.shape(a) for _, a in _leaves(expected("init_transformer_params", cfg, seed=seed)))
    require(got == want, f"parameter shapes {got} differ from the oracle's {want}")


@prop("init_transformer_params", "shapes_match_config", inputs=config_inputs, dtypes=(NO_DTYPE,),
      max_examples=15,
      statement="The tensors of init_transformer_params(config) have exactly the shapes the config implies: "
                "tokens (V, d), positions (P, d) only if learned, per layer norms (d,) (x2 for LayerNorm), wq "
                "(d, H D), wk and wv (d, Hkv D), wo (H D, d), biases only if bias (none for SwiGLU), FFN (d, f) "
                "(f, d) [+ (d, f) for SwiGLU], a final norm, and an LM head (d, V) only if untied; every 2-D "
                "tensor is random (not constant).")
def init_shapes(subject, case):
    cfg = case["config"]
    leaves = _init(subject, cfg, case["seed"])
    got = _shape_multiset(a.shape for _, a in leaves)
    want = _shape_multiset(expected_shapes(cfg))
    require(got == want, f"parameter shapes {got} differ from the shapes the config implies {want}")
    for path, a in leaves:
        if a.ndim == 2 and a.size > 1:
            require(bool(np.any(a != a.reshape(-1)[0])), f"params{path} {a.shape} is constant (no symmetry "
                                                         "breaking)")


@strategies.composite
def two_seeds(draw, dtype):
    case = draw(config_inputs(dtype))
    case["other_seed"] = draw(strategies.seeds.filter(lambda s: s != case["seed"]), label="other_seed")
    return case


@prop("init_transformer_params", "deterministic_in_seed", inputs=two_seeds, dtypes=(NO_DTYPE,), max_examples=10,
      statement="The same seed gives identical parameters; a different seed gives different random matrices.")
def init_seed(subject, case):
    cfg = case["config"]
    a = _init(subject, cfg, case["seed"])
    b = _init(subject, cfg, case["seed"])
    require([p for p, _ in a] == [p for p, _ in b], "the parameter tree differs between two calls")
    for (path, x), (_, y) in zip(a, b):
        assert_equal(y, x, what=f"params{path} of a second call with the same seed")
    c = _init(subject, cfg, case["other_seed"])
    differ = any(x.shape == z.shape and x.ndim == 2 and not np.array_equal(x, z) for (_, x), (_, z) in zip(a, c))
    require(differ, f"seeds {case['seed']} and {case['other_seed']} give identical weight matrices")
