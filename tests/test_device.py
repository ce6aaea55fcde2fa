"""``--device cuda`` places the torch and JAX implementations' arrays on the GPU; without one it is skipped."""
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
requires_gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")


@requires_gpu
def test_arrays_live_on_the_gpu():
    code = ("import impls.torch as t, numpy as np; x = t.asarray(np.ones(3, np.float32)); "
            "print(x.device.type)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "DLPROPS_DEVICE": "cuda"}, check=True)
    assert out.stdout.strip() == "cuda"


@requires_gpu
def test_suite_runs_on_cuda(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pytest", "properties/test_activations.py", "--device", "cuda",
                          "--only-impls", "torch,jax", "-q", "-p", "no:cacheprovider", "-k", "softmax",
                          "--report-json", str(tmp_path / "r.json"), "--report-html", ""],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]


def test_device_option_is_documented():
    out = subprocess.run([sys.executable, "-m", "pytest", "--help"], capture_output=True, text=True)
    assert "--device" in out.stdout
