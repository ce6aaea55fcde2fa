"""nnx.silu and nnx.sigmoid in float16: the formula is evaluated in float16, so sigmoid(0.0324) is not the
correctly rounded value and silu(-12.24) is 0 (exp(12.24) overflows float16) where x * sigmoid(x) is -5.9e-5.
Exits 1 while either result is further from the float64 value than the rounding of the result allows."""
import sys

import jax.numpy as jnp
import numpy as np
from flax import nnx

half_ulp = np.finfo(np.float16).eps / 2  # relative: what rounding the float64 value to float16 costs at most
bad = False
for name, x, exact in (("sigmoid", 0.032379, lambda x: 1 / (1 + np.exp(-x))),
                       ("silu", -12.242188, lambda x: x / (1 + np.exp(-x)))):
    x16 = np.float16(x)
    got = float(getattr(nnx, name)(jnp.asarray(x16)))
    want = float(exact(np.float64(x16)))
    error = abs(got - want) / abs(want)
    bad |= error > half_ulp
    print(f"nnx.{name}(float16 {float(x16)}): {got!r}; float64 {want:.6g}; relative error {error:.3g} "
          f"(rounding allows {half_ulp:.3g})")
sys.exit(1 if bad else 0)
