"""keras.losses.kl_divergence clips both distributions to [epsilon, 1] (keras.config.epsilon() = 1e-7) before
sum p log(p / q): a q below 1e-7 counts as 1e-7, so the divergence from a distribution that puts (near) zero
mass where p does not comes out far too small. Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import keras  # noqa: E402
import numpy as np  # noqa: E402

p = np.array([0.5, 0.5])
q = np.array([1e-12, 1.0 - 1e-12])
got = float(keras.losses.kl_divergence(jax.numpy.asarray(p), jax.numpy.asarray(q)))
want = float(np.sum(p * (np.log(p) - np.log(q))))
print(f"keras.losses.kl_divergence(p={p}, q={q}) = {got!r}; float64 reference {want!r}; "
      f"relative error {abs(got - want) / want:.3g}")
sys.exit(1 if abs(got - want) > 1e-9 * want else 0)
