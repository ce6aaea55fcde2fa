"""What optax computes differently from the catalogue, as the suite observed it (optax 0.2.8, jax 0.10.2, CPU).

Each :class:`impls._findings.Finding` names its checks, its cause in optax's source and a standalone repro under
``docs/scoreboard/repro/``; ``KNOWN_DEVIATIONS`` (what the loader reads) is derived from them.
"""
from impls._findings import Finding, known_deviations

FINDINGS = (
    Finding(
        id="optax-float16-adam-zero-denominator",
        title="optax.adam/adamw on float16 parameters divide by zero: eps=1e-8 and (1 - b2) g^2 round to 0",
        checks=(("adam_step", "matches_oracle", "float16"), ("adamw_step", "matches_oracle", "float16")),
        cause=("scale_by_adam keeps nu in the parameter's dtype (no float32 accumulation; mu_dtype covers only mu) "
               "and forms m_hat / (sqrt(nu_hat + eps_root) + eps) in it: in float16 eps=1e-8 rounds to 0 and "
               "(1 - b2) g^2 underflows to 0 for |g| below ~5.5e-3 (with b2 = 0.999, under half of float16's "
               "smallest subnormal 6e-8), so the first step from the zero state divides by 0 and the parameter "
               "becomes inf "
               "(-0.0479 with g = -0.00344 gives inf instead of -0.0469)"),
        source="optax/_src/transform.py:scale_by_adam",
        kind="precision",
        repro="docs/scoreboard/repro/optax-float16-adam-zero-denominator.py",
    ),
)

KNOWN_DEVIATIONS = known_deviations(FINDINGS)
