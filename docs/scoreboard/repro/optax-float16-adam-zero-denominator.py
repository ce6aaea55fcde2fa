"""optax.adam / optax.adamw on float16 parameters compute the update in float16: eps=1e-8 rounds to 0 and
(1 - b2) g^2 for |g| < ~7e-3 rounds to 0, so the first update divides 0.1 g by 0 and the parameter becomes inf.
Exits 1 while the difference holds."""
import sys

import jax.numpy as jnp
import numpy as np
import optax

param = jnp.asarray(np.array([-0.047882], dtype=np.float16))
grad = jnp.asarray(np.array([-0.003443], dtype=np.float16))
failed = False
for name, opt in (("adam", optax.adam(1e-3)), ("adamw", optax.adamw(1e-3, weight_decay=0.0))):
    state = opt.init(param)
    updates, state = opt.update(grad, state, param)
    got = float(np.asarray(optax.apply_updates(param, updates))[0])
    p, g = float(param[0]), float(grad[0])
    m_hat, v_hat = g, g * g  # bias-corrected first and second moments after one step from zero
    want = p - 1e-3 * m_hat / (np.sqrt(v_hat) + 1e-8)
    print(f"optax.{name} float16 step: param {got!r}; float64 reference {want!r}")
    failed = failed or not np.isfinite(got)
sys.exit(1 if failed else 0)
