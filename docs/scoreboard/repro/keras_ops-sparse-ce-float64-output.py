"""keras.ops.sparse_categorical_crossentropy (and keras.losses.sparse_categorical_crossentropy) on the JAX backend
with jax_enable_x64 returns float64 for float32 / float16 / bfloat16 logits: the one-hot target is made by
jax.nn.one_hot without a dtype, i.e. in JAX's default float (float64 under x64), and the product promotes the loss.
Keras' own symbolic shape inference says the result has the logits' dtype. Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import keras  # noqa: E402
import numpy as np  # noqa: E402

target = jax.numpy.asarray(np.array([1, 2]))
logits = np.array([[-1.0, 2.0, -2.2], [-0.55, -1.5, 0.087]], dtype=np.float32)
got = keras.ops.sparse_categorical_crossentropy(target, jax.numpy.asarray(logits), from_logits=True)
spec = keras.ops.sparse_categorical_crossentropy(keras.KerasTensor((2,), dtype="int64"),
                                                 keras.KerasTensor((2, 3), dtype="float32"), from_logits=True)
z = logits.astype(np.float64)
want = np.log(np.exp(z).sum(1)) - z[[0, 1], [1, 2]]
print(f"eager result dtype {got.dtype} (values {np.asarray(got)}); symbolic dtype {spec.dtype}; "
      f"float64 reference {want}")
sys.exit(1 if got.dtype != np.float32 else 0)
