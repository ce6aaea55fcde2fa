"""One named helper for planted bugs that replace a private helper of an implementation module.

``patched(module, _weights=buggy)`` returns the module's functions re-bound to a copy of its globals in which the
given helpers are replaced: every function of the module then calls the planted helper (also through other
helpers, ``_attend`` calling ``_weights``), while the module itself, the oracle, is untouched. A replaced name
must exist in the module: a helper renamed there makes the planted bug fail loudly at import, instead of
planting nothing.
"""
from __future__ import annotations

import types


def patched(module, **replacements) -> types.SimpleNamespace:
    """The functions defined in ``module``, calling ``replacements`` instead of the helpers of those names."""
    missing = sorted(name for name in replacements if name not in vars(module))
    if missing:
        raise AttributeError(f"{module.__name__} has no {', '.join(missing)} to replace (renamed? update the "
                             "planted bug)")
    namespace = {**vars(module), **replacements}
    for name, value in vars(module).items():
        if isinstance(value, types.FunctionType) and value.__globals__ is vars(module) and name not in replacements:
            bound = types.FunctionType(value.__code__, namespace, value.__name__, value.__defaults__,
                                       value.__closure__)
            bound.__kwdefaults__ = value.__kwdefaults__
            namespace[name] = bound
    return types.SimpleNamespace(**namespace)
