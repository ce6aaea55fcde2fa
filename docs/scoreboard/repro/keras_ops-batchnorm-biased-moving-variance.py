"""keras.layers.BatchNormalization updates moving_variance with the biased (1/n) batch variance; the catalogue
(PyTorch's convention) uses the unbiased one, n / (n - 1) times larger. Keras' momentum is the weight of the old
statistic (1 - PyTorch's momentum). Exits 1 while the difference holds."""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([[1.0, -2.0], [3.0, 0.0]], dtype=np.float32)  # two samples, two channels (channels last here)
layer = keras.layers.BatchNormalization(momentum=0.0, epsilon=1e-5)  # momentum 0: take the batch's statistic
layer(x, training=True)
got = np.asarray(layer.moving_variance)
want = x.astype(np.float64).var(axis=0, ddof=1)
print(f"moving_variance after one step with momentum=0: {got}; unbiased batch variance {want}; "
      f"biased {x.astype(np.float64).var(axis=0)}")
sys.exit(1 if not np.allclose(got, want) else 0)
