"""A replay per failure and error: a plain Python script beside the report (``reports/replays/``).

For every failed or erroring check the run writes three files with one stem,
``<impl>-<component>-<property>-<dtype>``:

- ``.npz``  every array of the calls the failing example made into the implementation, in full;
- ``.json`` the calls (component, arguments with the catalogue's names, scalars), the implementation's path or
  module, the check's verdict, message, allowance and reproduce command;
- ``.py``   the script: no pytest, no Hypothesis. It loads the implementation, rebuilds the calls and makes them
  again, then judges: a ``*matches_oracle`` property compares the last call with the NumPy oracle in float64
  (got, expected, the error against the allowance); ``rejects_bad_input`` expects ``ValueError``/``TypeError``
  from each bad call; an ``error`` expects the call to raise again or return something the contract does not
  allow. It exits 1 while the failure holds, 0 once it no longer shows, and 3 when it cannot judge the property
  by itself (a property relating several calls, or a gradient): it then prints every call's output and the
  command that re-runs the property.

``python reports/replays/<stem>.py`` from the directory the run started in (or anywhere: paths inside are
absolute).
"""
from __future__ import annotations

import json
import pathlib
import re

import numpy as np

from properties.calls import named_arguments

#: ``tol T x (|expected| + F)`` in an assert_close message: the allowance of the failing comparison
_ALLOWANCE = re.compile(r"\(tol ([-+0-9.eEinfa]+) x \(\|expected\| \+ ([-+0-9.eEinfa]+)\)\)")


def replay_dir(config) -> pathlib.Path | None:
    """``replays/`` beside the JSON report (else the HTML report); ``None`` when the run writes no report."""
    target = config.getoption("report_json") or config.getoption("report_html")
    return pathlib.Path(target).parent / "replays" if target else None


def stem(record: dict) -> str:
    name = f"{record['impl']}-{record['component']}-{record['property']}-{record['dtype']}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _encode(value, arrays: dict):
    """JSON for a call's argument; arrays go to ``arrays`` (the .npz) under a key."""
    if isinstance(value, np.ndarray):
        key = f"a{len(arrays)}"
        name = value.dtype.name
        # bfloat16 (ml_dtypes) has no .npz form; float32 holds every bfloat16 value exactly
        arrays[key] = value.astype(np.float32) if name == "bfloat16" else value
        return {"__array__": key, "dtype": name}
    if isinstance(value, np.generic):
        return {"__scalar__": value.item(), "dtype": value.dtype.name}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in value]}
    if isinstance(value, list):
        return [_encode(v, arrays) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"__repr__": repr(value)}


def _allowance(record: dict) -> tuple[float | None, float]:
    """(tol, floor) of the failing comparison: ``|got - expected| <= tol * (|expected| + floor)``."""
    tol, floor = record.get("tolerance"), 1.0
    match = _ALLOWANCE.search(record.get("message") or "")
    if match:
        try:
            tol = tol if tol is not None else float(match.group(1))
            floor = float(match.group(2))
        except ValueError:
            pass
    return tol, floor


def _impl_target(impl) -> dict:
    """How the script loads the implementation: an absolute path, or a dotted module (with where to find it)."""
    from properties.loader import _looks_like_path
    if _looks_like_path(impl.target):
        return {"path": str(pathlib.Path(impl.target).resolve()), "module": None}
    return {"path": None, "module": impl.target}


def write_replay(config, check, record: dict, calls: list) -> str | None:
    """Write the replay of a failed or erroring check; returns the script's path (as the reports name paths), or
    ``None`` when the run writes no report."""
    directory = replay_dir(config)
    if directory is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    base = directory / stem(record)
    arrays: dict = {}
    encoded = [{"component": c, "arguments": [[n, _encode(v, arrays)] for n, v in named_arguments(c, a, k)],
                "positional": len(a)} for c, a, k in calls]
    tol, floor = _allowance(record)
    root = pathlib.Path(str(config.rootpath)).resolve()
    meta = {"impl": record["impl"], **_impl_target(check.impl), "start_dir": str(config.invocation_params.dir),
            "root": str(root), "component": record["component"], "property": record["property"],
            "dtype": record["dtype"], "status": record["status"], "message": record["message"],
            "tolerance": tol, "floor": floor, "error_ratio": record.get("error_ratio"),
            "reproduce": record.get("reproduce"), "check_timeout": config.getoption("check_timeout"),
            "calls": encoded}
    np.savez(base.with_suffix(".npz"), **arrays)
    base.with_suffix(".json").write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    script = base.with_suffix(".py")
    script.write_text(SCRIPT.replace("__TITLE__", f"{record['impl']} {record['component']}:{record['property']} "
                                     f"{record['dtype']} ({record['status']})"), encoding="utf-8")
    return str(script)


def prune(directory: pathlib.Path, keep: set[str]) -> None:
    """Remove the replays in ``directory`` of checks that are not failures of this run (``keep``: stems)."""
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.suffix in (".py", ".npz", ".json") and path.stem not in keep:
            try:
                path.unlink()
            except OSError:
                pass


SCRIPT = r'''#!/usr/bin/env python3
"""Replay of __TITLE__, written by dlprops.

Plain Python (NumPy and the implementation; no pytest, no Hypothesis): the exact calls of the failing example,
rebuilt from the .npz and .json beside this file. Exit status: 1 while the failure holds, 0 once it no longer
shows, 3 when this script cannot judge the property by itself (it prints the outputs and the command that re-runs
the property)."""
import importlib
import importlib.util
import json
import pathlib
import signal
import sys
import traceback

import numpy as np

HERE = pathlib.Path(__file__).resolve()
META = json.loads(HERE.with_suffix(".json").read_text(encoding="utf-8"))
ARRAYS = dict(np.load(HERE.with_suffix(".npz"), allow_pickle=False))
np.set_printoptions(precision=8, threshold=64, edgeitems=4, linewidth=110)


#: components with random or per-implementation output: the oracle's output is not what they must equal
RANDOM = ("dropout", "mlm_mask", "init_transformer_params")


def np_dtype(name):
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    if isinstance(v, dict):
        if "__array__" in v:
            return ARRAYS[v["__array__"]].astype(np_dtype(v["dtype"]))
        if "__scalar__" in v:
            return np_dtype(v["dtype"]).type(v["__scalar__"])
        if "__tuple__" in v:
            return tuple(decode(x) for x in v["__tuple__"])
        if "__dict__" in v:
            return {decode(k): decode(x) for k, x in v["__dict__"]}
        raise SystemExit(f"cannot rebuild an argument: {v.get('__repr__')}")
    return v


def load_implementation():
    for where in (META["start_dir"], META["root"]):  # a dotted module, or a built-in (impls.*) of the checkout
        if where not in sys.path:
            sys.path.append(where)
    if META["module"]:
        return importlib.import_module(META["module"])
    path = pathlib.Path(META["path"])
    init = path / "__init__.py" if path.is_dir() else path
    spec = importlib.util.spec_from_file_location(
        "dlprops_replay_" + path.stem.replace("-", "_"), init,
        submodule_search_locations=[str(path)] if path.is_dir() else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def oracle(component, args, kwargs):
    """The NumPy implementation of the dlprops checkout, in float64."""
    if META["root"] not in sys.path:
        sys.path.append(META["root"])
    numpy_impl = importlib.import_module("impls.numpy")

    def widen(v):
        if isinstance(v, np.ndarray) and (v.dtype.kind == "f" or v.dtype.name == "bfloat16"):
            return v.astype(np.float64)
        if isinstance(v, (tuple, list)):
            return type(v)(widen(x) for x in v)
        if isinstance(v, dict):
            return {k: widen(x) for k, x in v.items()}
        return v
    return getattr(numpy_impl, component)(*widen(args), **widen(kwargs))


def native(module, v):
    if isinstance(v, np.ndarray):
        return module.asarray(v)
    if isinstance(v, (tuple, list)):
        return type(v)(native(module, x) for x in v)
    if isinstance(v, dict):
        return {k: native(module, x) for k, x in v.items()}
    return v


def to_numpy(module, v):
    if v is None or isinstance(v, (bool, int, float, str, np.generic)):
        return v
    if isinstance(v, (tuple, list)):
        return type(v)(to_numpy(module, x) for x in v)
    if isinstance(v, dict):
        return {k: to_numpy(module, x) for k, x in v.items()}
    return np.asarray(module.to_numpy(v))


def leaves(v, where=""):
    if isinstance(v, (tuple, list)):
        for i, x in enumerate(v):
            yield from leaves(x, f"{where}[{i}]")
    elif isinstance(v, dict):
        for k, x in v.items():
            yield from leaves(x, f"{where}[{k!r}]")
    else:
        yield where or "output", v


def show_call(call, args, kwargs):
    names = [n for n, _ in call["arguments"]]
    shown = [f"{n}={_short(v)}" for n, v in zip(names, list(args) + list(kwargs.values()))]
    return f"{call['component']}({', '.join(shown)})"


def _short(v):
    if isinstance(v, np.ndarray):
        return f"<{v.dtype.name} array {tuple(v.shape)}>"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_short(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (tuple, list)):
        return ("(" if isinstance(v, tuple) else "[") + ", ".join(_short(x) for x in v) + \
            (",)" if isinstance(v, tuple) and len(v) == 1 else ")" if isinstance(v, tuple) else "]")
    return repr(v)


def make_call(module, call):
    values = [decode(v) for _, v in call["arguments"]]
    args, kwargs = values[:call["positional"]], dict((n, v) for (n, _), v in
                                                       zip(call["arguments"][call["positional"]:],
                                                           values[call["positional"]:]))
    return args, kwargs


def invoke(module, call, args, kwargs):
    fn = getattr(module, call["component"])
    return to_numpy(module, fn(*native(module, args), **native(module, kwargs)))


def compare(got, want):
    """Worst error against the allowance |got - expected| <= tol * (|expected| + floor); True if it holds."""
    tol = META["tolerance"]
    if tol is None:
        eps = {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7, "float32": 2.0 ** -23}.get(META["dtype"], 2.0 ** -52)
        tol = 64 * eps
        print(f"(no allowance recorded: using 64 ulps of {META['dtype']}, {tol:.3g})")
    floor, ok = META["floor"], True
    for (where, g), (_, e) in zip(leaves(got), leaves(want)):
        if g is None and e is None:
            continue
        g, e = np.asarray(g, dtype=np.float64), np.asarray(e, dtype=np.float64)
        print(f"\n{where}:\n  got      {g}\n  expected {e}   (NumPy oracle, float64)")
        if g.shape != e.shape:
            print(f"  shape {g.shape} != expected {e.shape}")
            ok = False
            continue
        with np.errstate(all="ignore"):
            err = np.abs(g - e)
            err = np.where(np.isnan(g) & np.isnan(e), 0.0, np.where(np.isnan(err), np.inf, err))
            allowed = tol * (np.abs(e) + floor)
            ratio = np.where(err > 0, err / allowed, 0.0)
        if ratio.size == 0:
            continue
        i = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
        print(f"  worst at index {tuple(int(j) for j in i)}: got {float(g[i])!r}, expected {float(e[i])!r}, "
              f"error {err[i]:.3g}, "
              f"allowance {allowed[i]:.3g} = {tol:.3g} x (|expected| + {floor:.3g}): {ratio[i]:.3g}x the allowance")
        ok = ok and bool(ratio[i] <= 1)
    return ok


def forbidden(got):
    """Why an output breaks the contract's form (an error's cause), or None."""
    for where, v in leaves(got):
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            if META["dtype"] in ("float16", "bfloat16", "float32", "float64") and v.dtype.name != META["dtype"]:
                return f"{where} has dtype {v.dtype.name}, expected {META['dtype']}"
            if not np.isfinite(v).all():
                return f"{where} is not finite"
    return None


def signature_still_wrong():
    """A component whose parameters were not the catalogue's: does it still take the same ones?"""
    import inspect
    import re
    match = re.search(r"expected; got \w+(\(.*\)) \(", META["message"])
    fn = getattr(load_implementation(), META["component"])
    sig = inspect.signature(fn)
    now = str(sig.replace(parameters=[p.replace(annotation=p.empty) for p in sig.parameters.values()],
                          return_annotation=inspect.Signature.empty))
    print(f"\nnow: {META['component']}{now}")
    if match and match.group(1) == now:
        print("\nTHE FAILURE HOLDS (error): the signature is still not the catalogue's.")
        return 1
    print(f"\nthe signature changed; re-run the property with:\n  {META['reproduce']}")
    return 3


def main():
    print(f"dlprops replay: {META['impl']} {META['component']}:{META['property']} {META['dtype']} "
          f"({META['status']} in the run)\n  {META['message'][:600]}")
    if META.get("check_timeout"):
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("the call did not return")))
        signal.setitimer(signal.ITIMER_REAL, META["check_timeout"])
    if META["message"].startswith("signature: "):
        return signature_still_wrong()
    if not META["calls"]:
        print("\nno direct call into the implementation was recorded for this check (a gradient, a signature or "
              f"a crash); re-run the property with:\n  {META['reproduce']}")
        return 3
    module = load_implementation()
    rejects = META["property"] == "rejects_bad_input"
    oracle_property = META["property"].endswith("matches_oracle")
    last = max(n for n, call in enumerate(META["calls"], 1) if call["component"] == META["component"]) \
        if any(call["component"] == META["component"] for call in META["calls"]) else len(META["calls"])
    held, differs = False, False
    for n, call in enumerate(META["calls"], 1):
        args, kwargs = make_call(module, call)
        print(f"\ncall {n}: {show_call(call, args, kwargs)}")
        try:
            got = invoke(module, call, args, kwargs)
        except (ValueError, TypeError) as exc:
            print(f"  raised {type(exc).__name__}: {exc}")
            if not rejects:
                held = held or META["status"] == "error"
            continue
        except Exception as exc:
            print("  raised " + "".join(traceback.format_exception_only(type(exc), exc)).strip())
            held = True if rejects or META["status"] == "error" else held
            continue
        if rejects:
            print("  accepted (expected ValueError/TypeError)")
            held = True
            continue
        if oracle_property and n == last:
            if not compare(got, oracle(call["component"], args, kwargs)):
                held = True
            continue
        why = forbidden(got) if META["status"] == "error" else None
        if why:
            print(f"  {why}")
            held = True
        if n == last and not why and META["status"] == "failed" and call["component"] not in RANDOM:
            # not the property's own comparison, but the float64 oracle on the same call: a difference beyond
            # the allowance shows the implementation is wrong on this input
            try:
                want = oracle(call["component"], args, kwargs)
            except Exception as exc:
                print(f"  (the oracle raised {type(exc).__name__}: {exc})")
            else:
                differs = not compare(got, want)
            continue
        for where, v in leaves(got):
            print(f"  {where} = {v!r}" if not isinstance(v, np.ndarray) else f"  {where} =\n{v}")
    if held:
        print(f"\nTHE FAILURE HOLDS ({META['status']}).")
        return 1
    if rejects or oracle_property or META["status"] == "error":
        print("\nthe failure no longer shows.")
        return 0
    if differs:
        print(f"\nTHE FAILURE HOLDS: the output differs from the float64 oracle beyond the allowance ({META['property']} "
              "is judged in the run by its own statement; re-run it with the command below).\n  " + META["reproduce"])
        return 1
    print(f"\n{META['property']} relates several calls; this script shows them but cannot judge the property by "
          f"itself. Re-run it with:\n  {META['reproduce']}")
    return 3


if __name__ == "__main__":
    sys.exit(main())
'''
