"""BCE-with-logits as BCE of sigmoid(x): log(sigmoid(x)) and log(1 - sigmoid(x)) hit log(0) for large |x|.

Real bug class: `F.binary_cross_entropy(torch.sigmoid(x), t)` instead of the fused with-logits form; sigmoid
rounds to exactly 1 (or 0) for |x| > ~17 (float32) / ~37 (float64), giving inf or NaN (0 * -inf). Caught by:
"BCE-with-logits stays finite beyond where BCE of sigmoid is finite" and the differential check.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-bce-of-sigmoid"
DTYPES = ("float32", "float64")
CATCHES = ("binary_cross_entropy_with_logits:matches_oracle",
           "binary_cross_entropy_with_logits:finite_and_equals_bce_of_sigmoid")


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """``-(t log s + (1 - t) log(1 - s))`` of ``s = sigmoid(x)`` (BUG: log(0) once the sigmoid saturates)."""
    reference.binary_cross_entropy_with_logits(logits, target, reduction=reduction)  # validates
    logits, target = np.asarray(logits), np.asarray(target)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        s = 1 / (1 + np.exp(-logits))
        loss = -(target * np.log(s) + (1 - target) * np.log(1 - s))
        out = {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]
    return np.asarray(out).astype(logits.dtype)
