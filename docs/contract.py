"""Generate ``docs/contract.md``: what dlprops promises, from the code that keeps the promise.

    python docs/contract.py            # rewrite the page
    python docs/contract.py --check    # exit 1 if the page is stale (tests/test_contract_doc.py runs this)

Every component's signature and defaults come from ``properties.catalogue.SIGNATURES``, its formula from
``properties.catalogue.COMPONENTS``, every property's statement from the registry (all property modules), the
result record's fields from ``properties.result.Result``, the schema version from ``properties.result.SCHEMA_VERSION``. Only the prose below
(the conventions, the plug-in interface, the field meanings) is written here, once.
"""
from __future__ import annotations

import importlib
import pathlib
import pkgutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "contract.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from properties.result import FIELDS  # noqa: E402  (every field of a result record, with its meaning)

#: section number of each family in section 3 (and 4) of the page
SECTIONS = {"norms": "3.1", "activations": "3.2", "losses": "3.3", "optim": "3.4", "regularization": "3.5",
            "attention": "3.6", "positional": "3.7", "bert": "3.8", "params": "3.9", "transformer": "3.10"}

#: the conventions every implementation follows: (applies to, convention) — our words
CONVENTIONS = [
    ("all", "Arguments and results are the implementation's own arrays (its `asarray` makes them from NumPy, its "
            "`to_numpy` turns them back)."),
    ("all", "Shape letters: N batch, C channels, B batch, H query heads, Hkv key/value heads, L/Lq/Lk lengths, "
            "D head dim, d model dim."),
    ("all", "Integer arrays (targets, ids, positions) are int64; int32 is accepted too."),
    ("all", "A component computes in the dtype of its float inputs and returns that dtype; a half-precision input "
            "may be accumulated in float32 inside (good kernels do)."),
    ("all", "Parameters after `*` are keyword-only; a parameter with a default may be omitted, and omitting it "
            "means exactly that default."),
    ("all", "Input that breaks a convention (shapes that do not fit, an unknown option, a value out of range) "
            "raises `ValueError` or `TypeError`: not another exception, not a silent broadcast."),
    ("batch_norm", "Statistics over every axis but 1. Training normalises with the batch mean and the biased "
                   "variance and returns running statistics `(1 - momentum) * old + momentum * batch_stat`, the "
                   "variance taking the unbiased batch variance (PyTorch). Eval normalises with the running "
                   "statistics and returns them unchanged."),
    ("layer_norm, rms_norm", "Normalise over the last `normalized_ndim` axes; weight (and bias) have those axes' "
                             "shape. RMS norm has no bias."),
    ("instance_norm, group_norm", "Per (n, c) over the spatial axes, or per (n, group) over a block of C / "
                                  "num_groups contiguous channels and the spatial axes; weight and bias are (C,)."),
    ("gelu", "`approximate=False` is `x * Phi(x)` with erf; `True` is the tanh formula."),
    ("softmax, log_softmax", "Finite for every finite input, up to a quarter of the dtype's largest value."),
    ("cross_entropy", "Logits (N, C), int target (N,); PyTorch's semantics: label smoothing mixes the one-hot "
                      "target with the uniform distribution over the C classes, `mean` averages over the rows "
                      "that are not `ignore_index`."),
    ("losses", "`reduction` is `\"mean\"`, `\"sum\"` or `\"none\"`; BCE with logits is finite for every finite "
               "logit; KL divergence gives one value per row."),
    ("optimizers", "One functional step with `torch.optim`'s semantics. SGD's `momentum_buffer` is `None` before "
                   "the first step (the first buffer is then the gradient). Adam's `step` is the 1-based index of "
                   "this step, the update is bias-corrected and `weight_decay` is L2 added to the gradient; "
                   "AdamW decays decoupled, `param *= 1 - lr * weight_decay` before the Adam update."),
    ("dropout", "Inverted dropout: an element is kept with probability `1 - p` and scaled by `1 / (1 - p)`; "
                "`p == 1` gives zeros; `training=False` returns `x` unchanged; the int `seed` makes the output "
                "deterministic for that implementation."),
    ("attention", "Query head `h` reads key/value head `h // (H // Hkv)` (what `repeat_interleave` gives). "
                  "`mask` is boolean, broadcastable to (B, H, Lq, Lk), True = may attend. `is_causal` is "
                  "aligned bottom-right: query i may attend key j iff `j <= i + (Lk - Lq)` (what a KV cache "
                  "needs; PyTorch's SDPA is top-left aligned when Lq != Lk). Mask and causal combine with AND. "
                  "A query row with no allowed key has probabilities 0 and output 0, never NaN. `scale` "
                  "defaults to `1 / sqrt(D)`."),
    ("attention", "`bias` is a float array broadcastable to (B, H, Lq, Lk) added to the scaled logits before "
                  "masking (`scale * q k^T + bias`); `-inf` acts like a masked key."),
    ("multi_head_attention", "`params` holds `wq (d, H*D)`, `wk`/`wv (d, Hkv*D)`, `wo (H*D, d)` and optional "
                             "biases `bq bk bv bo`; for self-attention a packed `w_qkv (d, (H + 2 Hkv) D)` "
                             "(columns q, k, v) with optional `b_qkv` may replace `wq wk wv`. `context=None` is "
                             "self-attention; `num_kv_heads=None` means H (MHA), 1 is MQA, in between GQA. "
                             "`rope_base` applies half-split RoPE to q and k at positions 0..L-1."),
    ("mha_decode", "New tokens `x_new (B, T, d)` sit at positions P..P+T-1 after a cache `(k, v)`, each "
                   "(B, Hkv, P, D), P >= 0; the call returns the outputs and the cache extended to P + T."),
    ("feed_forward", "`relu`/`gelu`: `act(x @ w1 + b1) @ w2 + b2`; `swiglu`: `(silu(x @ w1) * (x @ w3)) @ w2`, no "
                     "biases."),
    ("rope", "x (..., L, D), D even, positions (L,) int; pair i turns by `positions * base**(-2i/D)`; "
             "`interleaved=True` pairs (x[2i], x[2i+1]), `False` pairs (x[i], x[i + D/2])."),
    ("positional", "`relative_position = key_pos - query_pos`; the queries of a (q_len, k_len) bias are the "
                   "last q_len positions (as with a KV cache); T5's logarithmic bucket is computed in float32."),
    ("mlm_mask", "Each non-special token is selected with probability `mask_prob`; a selected token becomes "
                 "`mask_token_id` (0.8), a uniform random id in [0, vocab_size) (0.1) or stays (0.1); labels hold "
                 "the original id where selected, -100 elsewhere."),
    ("params, transformer", "`config` is a dict: vocab_size, d_model, n_layers, n_heads, n_kv_heads, d_ff, "
                            "max_positions, norm (layernorm|rmsnorm), ffn (gelu|relu|swiglu), positional "
                            "(learned|sinusoidal|rope), bias, tie_embeddings; a decoder-only pre-norm transformer "
                            "with a final norm and an LM head. LayerNorm has weight and bias, RMSNorm weight only. "
                            "Memory figures are bytes per device; mixed-precision Adam is 2 + 2 + 12 bytes per "
                            "parameter, ZeRO stage k partitions optimizer states, then gradients, then parameters."),
]

#: the plug-in interface: (name, required, meaning) — our words
INTERFACE = [
    ("`NAME`", "yes", "the implementation's short unique name in reports, matching `[a-z0-9_-]+`"),
    ("`asarray(a)`", "yes", "a native array with the values and dtype of the `numpy.ndarray` `a`, on the "
                            "implementation's device"),
    ("`to_numpy(x)`", "yes", "a `numpy.ndarray` for the native array `x`"),
    ("`DTYPES`", "no", "the float dtypes supported, from `float16 bfloat16 float32 float64`; default "
                       "`(\"float32\",)`"),
    ("`vjp(fn, primals, cotangent)`", "no", "the vector-Jacobian product of `fn` at the tuple of native arrays "
                                           "`primals` for `cotangent`; enables the gradient properties"),
    ("`KNOWN_DEVIATIONS`", "no", "`{(component, property): reason}` (a third key element narrows it to one "
                                 "dtype): a deliberate difference; its checks run and are reported `xfailed`, or "
                                 "`xpassed` once they hold. A value `(reason, regime)` scopes it to the inputs "
                                 "of a regime (a name from `properties/regimes.py`, e.g. `\"magnitudes above "
                                 "sqrt(dtype max)\"`, or a predicate `regime(case, dtype)`): inputs outside it "
                                 "are checked like any other and fail normally"),
    ("component functions", "any subset", "names and signatures of section 3; a missing one is reported *not "
                                          "provided*, never failed; a signature that is not the catalogue's makes "
                                          "that component's checks errors"),
]

LOADING = [
    "`pytest properties --impl TARGET` (repeatable): TARGET is a dotted module name, a `.py` file or a package "
    "folder. `--only-impls A,B` checks only those (the NumPy oracle is still used); `--no-builtins` leaves out the "
    "built-in implementations.",
    "An installed package can register through the entry-point group `dlprops.impls` (the value is the module); "
    "`--no-entry-points` ignores them.",
    "A module that fails to import, or lacks `NAME`, `asarray` or `to_numpy`, stops the run with one line naming "
    "the file and what is wrong.",
    "A component that raises `NotImplementedError` for an option makes those inputs *skipped* with its message; "
    "any other exception is an `error`.",
]

OUTCOMES = [
    ("passed", "the property held for every example tried"),
    ("failed", "the property does not hold: the shrunk counterexample and the observed error are kept"),
    ("error", "the implementation raised, hung (`--check-timeout`), crashed its process, or returned the wrong "
              "type, shape or dtype"),
    ("skipped", "not provided, dtype not in `DTYPES`, every input unsupported (`NotImplementedError`)"),
    ("xfailed", "a declared known deviation that still shows"),
    ("xpassed", "a declared known deviation that no longer shows"),
]



def _load_properties() -> list:
    import properties
    from properties import registry
    for info in pkgutil.iter_modules(properties.__path__):
        if info.name.startswith("test_"):
            importlib.import_module(f"properties.{info.name}")
    return registry.properties()


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render() -> str:
    from properties.catalogue import COMPONENTS, FAMILIES, SIGNATURES, optional_parameters
    from properties.result import SCHEMA_VERSION as VERSION
    from properties.runner import PROFILES

    props = _load_properties()
    by_component: dict = {}
    for p in props:
        by_component.setdefault(p.component, []).append(p)
    out = ["# dlprops — the contract", "",
           "<!-- generated by docs/contract.py from the catalogue (properties/catalogue.py), the property registry "
           "(properties/test_*.py) and the report code; edit those and run `python docs/contract.py` -->", "",
           "What dlprops promises its users: the components an implementation may provide (names, signatures, "
           "defaults, conventions), the properties each is checked against, the plug-in interface and the result "
           "format. Everything here is generated from the code that checks it, so it says what the suite really "
           "checks.", "",
           f"{len(COMPONENTS)} components, {len(props)} properties.", "",
           "## 1. Contents", "",
           "- [2. The plug-in interface](#2-the-plug-in-interface)",
           "- [3. Component catalogue](#3-component-catalogue): conventions, then signatures and formulas per family",
           "- [4. Properties](#4-properties): every property's statement, per component",
           "- [5. Results](#5-results): outcomes, the JSON result format, reports", ""]

    out += ["## 2. The plug-in interface", "",
            "An implementation is one Python module (a `.py` file or a package) with:", "",
            "| name | required | meaning |", "| --- | --- | --- |"]
    out += [f"| {n} | {r} | {_cell(m)} |" for n, r, m in INTERFACE]
    out += ["", *("- " + line for line in LOADING), ""]

    out += ["## 3. Component catalogue", "", "### Conventions", "", "| applies to | convention |", "| --- | --- |"]
    out += [f"| {a} | {_cell(c)} |" for a, c in CONVENTIONS]
    out.append("")
    for family, number in SECTIONS.items():
        members = [c for c, (f, _) in COMPONENTS.items() if f == family]
        out += [f"### {number} {FAMILIES[family]}", "", "| component | signature | defaults | formula |",
                "| --- | --- | --- | --- |"]
        for c in members:
            defaults = ", ".join(f"`{k}={v!r}`" for k, v in optional_parameters(c).items()) or "–"
            out.append(f"| `{c}` | `{c}{SIGNATURES[c]}` | {defaults} | {_cell(COMPONENTS[c][1])} |")
        out.append("")

    out += ["## 4. Properties", "",
            "Per component, every property registered for it: its name (the `property` of a result), the dtypes "
            "it is checked in, and what it states. *statistical*: a random-output test with a false-alarm "
            "probability of at most 1e-6 per check; *needs*: other components (or `vjp`) the property also "
            "calls — without them it is skipped.", ""]
    for family, number in SECTIONS.items():
        members = [c for c, (f, _) in COMPONENTS.items() if f == family and c in by_component]
        if not members:
            continue
        out += [f"### 4.{number.split('.')[1]} {FAMILIES[family]}", ""]
        for c in members:
            out += [f"#### `{c}`", "", "| property | dtypes | statement |", "| --- | --- | --- |"]
            for p in sorted(by_component[c], key=lambda p: p.name):
                notes = [n for n in ("statistical" if p.statistical else "",
                                     f"needs {', '.join(p.needs)}" if p.needs else "") if n]
                extra = f" *({'; '.join(notes)})*" if notes else ""
                out.append(f"| `{p.name}` | {' '.join(p.dtypes)} | {_cell(p.statement)}{extra} |")
            out.append("")
    stray = sorted(set(by_component) - set(COMPONENTS))
    if stray:
        out += ["### Other", "", *(f"- `{c}`: {len(by_component[c])} properties" for c in stray), ""]

    out += ["## 5. Results", "", "### Outcomes", "",
            "One outcome per check, a check being one (implementation, component, property, dtype):", "",
            "| status | meaning |", "| --- | --- |", *(f"| `{s}` | {_cell(m)} |" for s, m in OUTCOMES), "",
            "### The result document", "",
            f"`--report-json PATH` (default `reports/results.json`, `''` for none) writes, atomically, "
            f"`{{\"version\": {VERSION}, \"meta\": {{...}}, \"impls\": [{{\"name\", \"module\", \"dtypes\", "
            f"\"known_deviations\", \"library\", \"findings\"}}], \"results\": [...]}}` — schema version **{VERSION}** "
            "(the fields of `properties/result.py`'s `Result`; version 2 added `deviation`, `regime` and `observed`). "
            "An implementation's `library` and `findings` are present for the library adapters (`--libraries`). "
            "`meta` holds the run's "
            "versions, device, profile, seed, commit, duration and status counts. Results are sorted by family, "
            "component, property, implementation and dtype, so a serial run and a `-n N` run compare equal. While "
            "the run goes, each result is appended to `results.jsonl` beside it as it finishes (`python -m reports "
            "reports/results.jsonl` rebuilds the reports of an interrupted run).", "",
            "Each result record:", "", "| field | meaning |", "| --- | --- |",
            *(f"| `{f}` | {_cell(m)} |" for f, m in FIELDS), "",
            "### Reports and commands", "",
            "- `--report-html PATH` (default `reports/report.html`) writes one self-contained page: the component × "
            "implementation matrix with drill-down, every failure's counterexample, error figures and the command "
            "that reproduces it.",
            "- Both default paths are relative to the directory the run started in.",
            "- Every failure and error also gets a replay script under `replays/` beside the JSON report: plain "
            "Python, no pytest or Hypothesis; it re-makes the failing call and exits non-zero while the failure "
            "holds.",
            "- `--check-timeout SECONDS` (default 60): a longer call into an implementation is an `error`; under "
            "`-n N` (pytest-xdist) a crashing implementation costs only its own checks.",
            f"- `--hypothesis-profile {'|'.join(p for p in PROFILES if p != 'mutants')}`: `ci` (derandomized) is "
            "the default under `CI=true`; `libraries` (derandomized, 8 examples a check) is what `make test` runs "
            "the library adapters with (`--libraries`; `make scoreboard` runs them under `ci`). A check's draws "
            "depend only on its seed and its strategy: not on which other checks, modules or plug-ins the run "
            "selected, loaded or ran before it.", ""]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE.relative_to(ROOT)} is stale: run `python docs/contract.py`", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
