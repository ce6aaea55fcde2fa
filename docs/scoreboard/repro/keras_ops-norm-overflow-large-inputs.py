"""Keras' normalisations overflow for float32 (and bfloat16, computed in float32) inputs above ~1e19, which the
catalogue normalises like any others: layer_normalization forms x * inv - mean * inv, each term beyond float32's
range for |x| / sqrt(var + eps) > 3.4e38 (inf - inf = NaN), jnp.var squares x - mean (inf, so the output is 0),
and rms_normalization squares x (inf, so the output is 0). Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([-8.507059e37], dtype=np.float32)
ln = float(np.asarray(keras.ops.layer_normalization(x, epsilon=1e-5))[0])
rms = float(np.asarray(keras.ops.rms_normalization(x, epsilon=1e-6))[0])
pair = np.array([[3e37, -3e37]], dtype=np.float32)
ln_pair = np.asarray(keras.ops.layer_normalization(pair, epsilon=1e-5))[0]
print(f"layer_normalization(float32 [{x[0]:.4g}]) = {ln!r} (expected 0: a single value is its own mean)")
print(f"rms_normalization(float32 [{x[0]:.4g}]) = {rms!r} (expected -1)")
print(f"layer_normalization(float32 [3e37, -3e37]) = {ln_pair} (expected [1, -1])")
ok = ln == 0.0 and abs(rms + 1.0) < 1e-6 and np.allclose(ln_pair, [1.0, -1.0])
sys.exit(0 if ok else 1)
