"""``jit``: ``jax.jit`` whose executables are kept on disk, found again without tracing.

On a new (shape, dtype, static option) ``jax.jit`` traces the function, lowers it to MLIR and hashes the module
in every process, even when its persistent cache then holds the compiled executable: ~25-35 ms per executable
on CPU, and the suite meets ~2,500 kernel executables in the two JAX implementations. This cache keys an
executable by what determines it *before* tracing — the function (module and qualified name), the tree
structure of the dynamic arguments with each leaf's shape, dtype and weak type, and the static arguments —
inside a folder per fingerprint (the jax/jaxlib versions and flags, the host CPU, the sources of the kernel's
package), and stores it serialized (``jax.experimental.serialize_executable``). A warm
lookup reads and loads it (a few ms); in memory it is a dict lookup beside the call. Each edit of the sources
starts a new folder; the :data:`KEEP` most recently used are kept.

Only what a kernel's own code can depend on enters the key, so a kernel must be a pure function of its
arguments, calling only jax and modules of its own package (true of ``impls/jax``, ``impls/jax_native``: each
is fingerprinted alone, so an edit of one keeps the other's executables). Reverse-mode autodiff goes through
stored executables too (see :class:`Kernel`); other
tracers (``jax.jit``, ``jax.vmap``) and arguments that are neither arrays nor scalars take ``jax.jit``'s path.
Executables are stored only from CPU compilations that JAX's own persistent cache did not serve: XLA:CPU
executables loaded from that cache serialize without their code (loading one then fails with ``NOT_FOUND:
Function ... not found``), so our compilations use a compile option of their own (see ``_MARKER``) under which
JAX's cache is never written.
"""
import functools
import hashlib
import importlib.metadata
import inspect
import os
import pickle
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import jax
import numpy as np
from jax.experimental import serialize_executable

from impls import _compat

# DLPROPS_JAX_CACHE="" turns both caches off (a folder moves them).
CACHE_DIR = os.environ.get("DLPROPS_JAX_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "dlprops-jax"))
#: the folder of this cache's executables (JAX's persistent cache keeps the parent for the autodiff path)
EXECUTABLES = Path(CACHE_DIR, "executables") if CACHE_DIR else None
#: a compile option at its default value: it leaves the code as it is and keys our compilations apart from
#: every other in JAX's persistent cache, which never writes them (see ``_compile_uncached``)
_MARKER = {"xla_embed_ir_in_executable": False}
#: bumped when what is stored, or how it is compiled, changes
FORMAT = 1
#: source fingerprints whose executables are kept (the most recently used)
KEEP = 8
_SCALARS = {bool: "bool", int: "int", float: "float", complex: "complex"}

if CACHE_DIR and not jax.config.jax_compilation_cache_dir:
    jax.config.update("jax_compilation_cache_dir", CACHE_DIR)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def jit(fun=None, *, static_argnames=(), static_argnums=()):
    """``jax.jit(fun, static_argnames=..., static_argnums=...)`` with the executable cache (decorator too)."""
    if fun is None:
        return functools.partial(jit, static_argnames=static_argnames, static_argnums=static_argnums)
    return Kernel(fun, tuple(static_argnames), tuple(static_argnums))


def library_jit(fun, static_argnames=(), *, library: str, version: str, module: str | None = None):
    """:func:`jit` of a library adapter's kernel, with the library's name and version in its cache entry's name:
    an executable compiled against one release is never reused by another (the cache fingerprints the sources of
    ``module``, the adapter, and jax, not the library's). ``module`` defaults to the kernel's own module; pass the
    adapter's when the kernel is a library function itself (``keras.ops.relu``)."""
    name = f"{fun.__module__}.{fun.__qualname__}@{library}{version}"
    return Kernel(fun, tuple(static_argnames), (), name=name, module=module or fun.__module__)


def library_kernels(library: str, version: str):
    """A decorator ``kernel(*static_argnames)`` of :func:`library_jit` for one library's adapter."""
    def kernel(*static_argnames):
        return lambda fun: library_jit(fun, static_argnames, library=library, version=version)
    return kernel


def array_meta(x):
    """``(shape, dtype)`` of an array for the shared validators (``impls._validate``), None for an absent one."""
    return None if x is None else (tuple(x.shape), x.dtype)


class Kernel:
    """A jitted function; ``__call__`` looks its executable up by the arguments' structure (see module doc).

    Under reverse-mode autodiff (``jax.vjp``, ``jax.grad``) it is a ``jax.custom_vjp`` function: the forward pass
    runs the stored executable on the primal values and the backward pass a stored kernel computing
    ``jax.vjp(fun)`` there (the forward recomputed inside it: cheap at the suite's sizes), so a gradient check
    neither traces nor lowers the kernel on a warm run either. The cotangents are JAX's own autodiff of ``fun``.
    Forward mode (``jax.jvp``) does not pass through a kernel.
    """

    def __init__(self, fun, static_argnames, static_argnums, *, name=None, module=None):
        self.jitted = jax.jit(fun, static_argnames=static_argnames or None, static_argnums=static_argnums or None)
        functools.update_wrapper(self, fun)
        self._fun = fun
        kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        params = [n for n, p in inspect.signature(fun).parameters.items() if p.kind in kinds]
        numbers = set(static_argnums) | {params.index(n) for n in static_argnames if n in params}
        # a static argument is keyed by its name whether it came by position or by keyword
        self._static_nums = {i: params[i] if i < len(params) else f"#{i}" for i in numbers}
        self._static_names = frozenset(static_argnames) | set(self._static_nums.values())
        self._executables = {}
        self._plain = {}
        self._differentiable = {}
        self._pullback = None
        self._jitted_signatures = set()  # what cache_size counts without jax's private _cache_size
        self._module = module or getattr(fun, "__module__", None) or __name__
        self._name = name or f"{self._module}.{getattr(fun, '__qualname__', type(fun).__name__)}"

    def cache_size(self) -> int:
        """Executables this kernel holds in this process (looked up by signature, or traced by ``jax.jit``)."""
        if _compat.JIT_CACHE_SIZE:
            return len(self._executables) + _compat.jit_cache_size(self.jitted)
        return len(self._executables) + len(self._jitted_signatures)

    def __call__(self, *args, **kwargs):
        key = self._plain_key(args, kwargs)
        if key is not None:
            found = self._plain.get(key)
            if found is not None:
                return found(*args, **kwargs)
        statics, dynamic, dyn_kwargs = (), args, kwargs
        if self._static_nums:
            names = self._static_nums
            statics = tuple((names[i], a) for i, a in enumerate(args) if i in names)
            dynamic = tuple(a for i, a in enumerate(args) if i not in names)
        if kwargs and self._static_names:
            statics += tuple((k, v) for k, v in kwargs.items() if k in self._static_names)
            dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self._static_names}
        if len(statics) > 1:
            statics = tuple(sorted(statics))  # names are unique: the values are never compared
        leaves, tree = jax.tree_util.tree_flatten((dynamic, dyn_kwargs))
        signature = tuple(map(_leaf_signature, leaves))
        if None not in signature:
            executable = self._executable((tree, statics, signature), leaves, args, kwargs)
            if key is not None:
                self._plain[key] = self._dropping_statics(executable)
            return executable(*dynamic, **dyn_kwargs)
        if any(isinstance(leaf, jax.core.Tracer) for leaf in leaves) and \
                not any(name.startswith("#") for name, _ in statics):
            return self._with_vjp(statics)(dynamic, dyn_kwargs)
        return self._jax_jit(statics, dynamic, dyn_kwargs, args, kwargs)

    def _jax_jit(self, statics, dynamic, dyn_kwargs, args, kwargs):
        """``jax.jit``'s own path (tracers under jit/vmap, arguments that are neither arrays nor scalars)."""
        if not _compat.JIT_CACHE_SIZE:  # counted here for cache_size (public fallback)
            leaves, tree = jax.tree_util.tree_flatten((dynamic, dyn_kwargs))
            try:
                self._jitted_signatures.add((tree, statics, tuple(
                    (getattr(leaf, "shape", None), str(getattr(leaf, "dtype", type(leaf).__name__)))
                    for leaf in leaves)))
            except TypeError:  # an unhashable static option: jax.jit will say so
                pass
        return self.jitted(*args, **kwargs)

    def _plain_key(self, args, kwargs):
        """For a call whose arguments are concrete arrays and static options only (nearly every call), a key of
        their shapes, dtypes and weak types and the options' values, built without flattening the pytree
        (~2 us a call less); ``None`` for any other call (tracers, scalars, containers)."""
        array_impl = _compat.ARRAY_IMPL and _compat.ARRAY_TYPE  # the private type (impls._compat), or off
        if not array_impl:
            return None
        key = []
        for i, a in enumerate(args):
            if type(a) is array_impl:
                key.append((a.shape, a.dtype, a.weak_type))
            elif i in self._static_nums:
                key.append((a,))
            else:
                return None
        for name, a in kwargs.items():
            if type(a) is array_impl:
                key.append((name, a.shape, a.dtype, a.weak_type))
            elif name in self._static_names:
                key.append((name, a))
            else:
                return None
        return tuple(key)

    def _dropping_statics(self, executable):
        """``executable`` called with a plain call's arguments: its static options left out."""
        nums, names = self._static_nums, self._static_names
        if not nums and not names:
            return executable

        def call(*args, **kwargs):
            return executable(*[a for i, a in enumerate(args) if i not in nums],
                              **{k: v for k, v in kwargs.items() if k not in names})
        return call

    def _executable(self, key, leaves, args, kwargs):
        executable = self._executables.get(key)
        if executable is None:
            executable = self._executables[key] = self._load_or_compile(key, leaves, args, kwargs)
        return executable

    def _with_vjp(self, statics):
        """``(dynamic, dyn_kwargs) -> fun(...)`` for these static arguments, with stored forward and backward."""
        function = self._differentiable.get(statics)
        if function is None:
            function = self._differentiable[statics] = jax.custom_vjp(functools.partial(self._primal, statics))
            function.defvjp(functools.partial(self._forward, statics), functools.partial(self._backward, statics))
        return function

    def _primal(self, statics, dynamic, dyn_kwargs):
        args, kwargs = _rebuild(self._static_nums, statics, dynamic, dyn_kwargs)
        if any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves((dynamic, dyn_kwargs))):
            return self._jax_jit(statics, dynamic, dyn_kwargs, args, kwargs)  # staged (jit, vmap): traced as usual
        return self(*args, **kwargs)

    def _forward(self, statics, dynamic, dyn_kwargs):
        return self._primal(statics, dynamic, dyn_kwargs), (dynamic, dyn_kwargs)

    def _backward(self, statics, residuals, cotangent):
        if self._pullback is None:
            self._pullback = Kernel(_pullback_of(self._fun, self._static_nums), ("statics",), (),
                                    name=f"{self._name}.vjp", module=self._module)
        return self._pullback(*residuals, cotangent, statics=statics)

    def _load_or_compile(self, key, leaves, args, kwargs):
        path = _entry_path(self._name, self._module, key) if _persistable(leaves) else None
        if path is not None and path.exists():
            try:
                return serialize_executable.deserialize_and_load(*pickle.loads(path.read_bytes()))
            except Exception:  # a truncated or foreign entry: compile it again
                pass
        lowered = self.jitted.lower(*args, **kwargs)
        if path is None:
            return lowered.compile()
        executable, fresh = _compile_uncached(lowered)
        if fresh:
            _write(path, pickle.dumps(serialize_executable.serialize(executable)))
        return executable


def _rebuild(static_nums, statics, dynamic, dyn_kwargs):
    """A call's ``(args, kwargs)`` again from its dynamic part and its static options: a static parameter goes
    back to its position while the positional arguments reach it, by name otherwise."""
    values, args, kwargs = dict(statics), list(dynamic), dict(dyn_kwargs)
    for index in sorted(static_nums):
        name = static_nums[index]
        if name in values and index <= len(args):
            args.insert(index, values.pop(name))
    kwargs.update(values)
    return args, kwargs


def _pullback_of(fun, static_nums):
    def pullback(dynamic, dyn_kwargs, cotangent, statics):
        """The cotangents of ``(dynamic, dyn_kwargs)`` for ``cotangent`` of ``fun`` there."""
        def call(d, k):
            args, kwargs = _rebuild(static_nums, statics, d, k)
            return fun(*args, **kwargs)
        return jax.vjp(call, dynamic, dyn_kwargs)[1](cotangent)
    return pullback


def _leaf_signature(leaf):
    """What jit's compilation depends on for one argument leaf; None for a leaf it does not cache (tracers)."""
    if isinstance(leaf, jax.Array):
        return None if isinstance(leaf, jax.core.Tracer) else (leaf.shape, leaf.dtype, leaf.weak_type)
    if isinstance(leaf, (np.ndarray, np.generic)):  # NumPy scalars are strongly typed 0-d arrays to jit
        return leaf.shape, leaf.dtype, False
    scalar = _SCALARS.get(type(leaf))
    if scalar is None and isinstance(leaf, (float, int, complex)) and hasattr(leaf, "dtype"):
        # a Python scalar JAX typed (custom_vjp passes them so): the plain scalar's executable when jit sees the
        # same weakly typed value (a float64 one under x64), so a gradient check reuses the forward's executable
        plain = next(kind for kind in (bool, int, float, complex) if isinstance(leaf, kind))
        if jax.typeof(leaf) == jax.typeof(plain(leaf)):
            return _SCALARS[plain]
        return type(leaf).__name__, str(leaf.dtype)
    return scalar


def _persistable(leaves) -> bool:
    """On disk only for CPU arrays (the cache's key has no device), and only with the cache on."""
    if EXECUTABLES is None:
        return False
    devices = next((leaf.devices() for leaf in leaves if isinstance(leaf, jax.Array)), None)
    return devices is None or all(d.platform == "cpu" for d in devices)


def _compile_uncached(lowered):
    """``(executable, fresh)``: compiled under ``_MARKER`` with JAX's persistent cache kept from writing it, so
    it is compiled here (fresh: safe to serialize) unless a cache hit says otherwise."""
    hits = []
    listener = lambda event, **_: hits.append(event) if event == "/jax/compilation_cache/cache_hits" else None
    jax.monitoring.register_event_listener(listener)
    previous = jax.config.jax_persistent_cache_min_compile_time_secs
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float("inf"))
    try:
        executable = lowered.compile(compiler_options=_MARKER)
    finally:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", previous)
        jax.monitoring.unregister_event_listener(listener)
    return executable, not hits


@functools.lru_cache(maxsize=None)
def _fingerprint(module: str) -> str:
    """A digest of what an executable depends on beyond its key: the jax/jaxlib versions and flags, this cache's
    compile option and format, and the sources of ``module``'s package (this cache's own source excepted:
    :data:`FORMAT` and ``_MARKER`` stand for it)."""
    digest = hashlib.sha256()
    digest.update(repr((FORMAT, _MARKER, jax.__version__, importlib.metadata.version("jaxlib"),
                        jax.config.jax_enable_x64, jax.config.jax_default_matmul_precision, jax.default_backend(),
                        sys.version_info[:2], _host_cpu())).encode())
    source = getattr(sys.modules.get(module), "__file__", None)  # None for an interactive __main__
    folders = {Path(source).parent} if source else set()
    here = Path(__file__).resolve()
    for source in sorted(p for folder in folders for p in folder.glob("*.py") if p.resolve() != here):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _host_cpu() -> str:
    """The host CPU's model and instruction-set flags: XLA:CPU compiles for them, so a cache folder shared with
    another machine (a network home, a restored CI cache) must not hand its executables to a different CPU."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.machine() + " " + platform.processor()
    lines = [line for line in info.splitlines() if line.startswith(("model name", "flags", "Features"))]
    return "\n".join(dict.fromkeys(lines))


@functools.lru_cache(maxsize=None)
def _group(root: Path, fingerprint: str) -> Path:
    """The folder of the executables of one source fingerprint, marked used now; the groups beyond the
    :data:`KEEP` most recently used are removed (each edit of the sources starts a new group)."""
    folder = root / fingerprint[:24]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
        groups = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for stale in groups[:-KEEP]:
            shutil.rmtree(stale, ignore_errors=True)
    except OSError:  # another process pruned concurrently, or a read-only disk: only speed is at stake
        pass
    return folder


def _entry_path(name: str, module: str, key) -> Path:
    tree, statics, signature = key
    text = repr((name, str(tree), statics, signature))
    return _group(EXECUTABLES, _fingerprint(module)) / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:40]}.pkl"


def _write(path: Path, data: bytes) -> None:
    """Written whole or not at all (xdist workers share the folder)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError:  # a read-only or full disk costs only speed
        pass
