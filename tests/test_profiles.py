"""The Hypothesis profile decides the run seed: ``--hypothesis-profile=ci`` is derandomized with or without
``CI=true`` (``make verify`` and ``make test`` pass the option), ``dev`` draws a fresh seed per run."""
import json
import os
import subprocess
import sys


def run_meta(tmp_path, *args, env_ci: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("PYTEST_")}
    if env_ci:
        env["CI"] = "true"
    out = tmp_path / f"r{len(list(tmp_path.iterdir()))}.json"
    subprocess.run([sys.executable, "-m", "pytest", "properties/test_activations.py", "--only-impls", "numpy",
                    "-k", "relu and odd_part", "-q", "-p", "no:cacheprovider", "--report-json", str(out),
                    "--report-html", "", *args], env=env, capture_output=True, check=True)
    return json.loads(out.read_text())["meta"]


def test_ci_profile_option_is_derandomized(tmp_path):
    meta = run_meta(tmp_path, "--hypothesis-profile=ci", env_ci=False)
    assert (meta["profile"], meta["seed"], meta["derandomize"]) == ("ci", 0, True)


def test_dev_profile_draws_a_seed(tmp_path):
    seeds = {run_meta(tmp_path, "--hypothesis-profile=dev", env_ci=False)["seed"] for _ in range(2)}
    assert 0 not in seeds and len(seeds) == 2
