"""The pytest side of dlprops: options, implementation loading, parametrisation and result collection.

Each property module ends with ``from properties.plugin import test_property``; :func:`pytest_generate_tests`
expands that one test into a check per (implementation, component, property, dtype) of the module's
properties. The outcome travels in the report's ``user_properties``, so pytest-xdist brings it to the
controller, which appends it to ``results.jsonl`` as each check finishes and writes the JSON and HTML
reports at the end.

A session is a run: it owns its state (:mod:`properties.draw_state`), begun at ``pytest_configure`` and handed
back at ``pytest_unconfigure``, so a session run in-process inside another leaves the outer one's as it was.
"""
from __future__ import annotations

import os
import pathlib
import random
import sys

import pytest
from hypothesis import settings

from properties import compat, draw_state, registry, runner
from properties import result as result_module
from properties.result import RESULT_KEY, Result
from properties.loader import PluginError, load_impls

runner.register_profiles()
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev")



def pytest_addoption(parser):
    group = parser.getgroup("dlprops", "dlprops verification")
    group.addoption("--impl", action="append", default=[], metavar="TARGET",
                    help="an implementation module to verify: dotted name, .py file or package folder "
                         "(repeatable)")
    group.addoption("--only-impls", default="", metavar="NAME[,NAME...]",
                    help="check only these implementations (the NumPy oracle is still used)")
    group.addoption("--report-json", default="reports/results.json", metavar="PATH",
                    help="where to write the JSON results (default %(default)s, under the directory the run "
                         "starts in; failures' replay scripts go to replays/ beside it; '' for none)")
    group.addoption("--report-html", default="reports/report.html", metavar="PATH",
                    help="where to write the HTML report (default %(default)s; '' for none)")
    group.addoption("--check-timeout", type=float, default=60.0, metavar="SECONDS",
                    help="a call into an implementation that runs longer is an error (default %(default)s)")
    group.addoption("--device", default="cpu", choices=("cpu", "cuda"),
                    help="where the torch and JAX implementations place their arrays")
    group.addoption("--no-builtins", action="store_true",
                    help="load only --impl targets and entry points, not the built-in implementations")
    group.addoption("--libraries", action="store_true",
                    help="also check the library adapters (transformers, torch.nn, flax.nnx, Equinox, keras.ops, "
                         "optax; pip install -r requirements-libraries.txt)")
    group.addoption("--no-entry-points", action="store_true",
                    help="do not load the implementations installed through the 'dlprops.impls' entry points")


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _run_seed(config) -> int:
    """One seed per run, shared with xdist workers: 0 under a derandomized profile."""
    profile = config.getoption("hypothesis_profile", None)
    if profile:  # Hypothesis's own plugin may load it only after this hook; the seed depends on it
        settings.load_profile(profile)
    if _is_worker(config):
        return config.workerinput["dlprops_seed"]
    from hypothesis import core
    if core.global_force_seed is not None:
        return int(core.global_force_seed)
    return 0 if settings.default.derandomize else random.getrandbits(32)


def _one_thread_per_worker() -> None:
    """The suite's arrays are small: intra-op threads only contend (torch at 2 threads was ~100x slower per
    call than at 1 on a 2-core machine), and pytest-xdist parallelises across checks instead."""
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    torch = sys.modules.get("torch")  # only if an implementation imported it: importing torch costs seconds
    if torch is not None:
        torch.set_num_threads(1)


def pytest_configure(config):
    _one_thread_per_worker()  # XLA_FLAGS before any implementation imports JAX
    if config.getoption("device") == "cuda":
        os.environ["DLPROPS_DEVICE"] = "cuda"  # read by the torch and JAX implementations at import
    only = [n for n in config.getoption("only_impls").split(",") if n]
    config.dlprops_load_notes = []
    try:
        config.dlprops_impls = load_impls(config.getoption("impl"),
                                          builtins=not config.getoption("no_builtins"), only=only,
                                          entry_points=not config.getoption("no_entry_points"),
                                          libraries=config.getoption("libraries"),
                                          notes=config.dlprops_load_notes)
    except PluginError as exc:
        if not _is_worker(config):
            from reports.recorder import stopped_on_load_error
            stopped_on_load_error(config.getoption("report_json"), config.getoption("report_html"), str(exc))
        raise pytest.UsageError(str(exc)) from None
    _one_thread_per_worker()  # torch's threads, now that the implementations that use it are imported
    config.dlprops_seed = _run_seed(config)
    config.dlprops_run = draw_state.start(config)  # after the loading that may stop the run: no state to hand back
    if not _is_worker(config):
        from reports.recorder import Recorder
        config.dlprops_recorder = Recorder.from_config(config)


@pytest.hookimpl  # after xdist's (tryfirst), which makes ``-n N`` mean ``--dist load``; before pytest's, which runs
def pytest_cmdline_main(config):
    """``-n N`` without ``--dist`` distributes by (implementation, component): see :func:`group_of`."""
    explicit = any(a == "--dist" or a.startswith("--dist=") or a == "-d" for a in config.invocation_params.args)
    if getattr(config.option, "numprocesses", None) and config.option.dist == "load" and not explicit \
            and compat.XDIST_SCHEDULER:  # else xdist's public "load" (properties.compat)
        config.option.dist = "loadgroup"


def group_of(nodeid: str) -> str:
    """The work unit of a test under ``--dist loadgroup``: one (implementation, component) for a check — so a
    JAX function compiles each shape once, on one worker, instead of once per worker — and the test itself for
    anything else."""
    if "::test_property[" not in nodeid:
        return nodeid
    check_id = nodeid[nodeid.index("[") + 1:nodeid.rindex("]")]
    return ":".join(check_id.split(":")[:-2])  # impl:component (an impl name has no ':')


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # optional: the run works with ``-p no:xdist``
def pytest_xdist_make_scheduler(config, log):
    """xdist's own ``loadgroup`` reads a group from a suffix it writes into each test id, which pytest 9 no longer
    lets it write; this scheduler takes the group from the check id instead."""
    if config.getvalue("dist") != "loadgroup":
        return None
    # built on xdist's private scheduler internals: None (xdist's own loadgroup) when they changed
    return compat.component_scheduler(config, log, group_of)


#: implementations whose checks are scheduled first: their groups are the longest (JAX compiles per shape)
SLOW_FIRST = ("jax", "jax_native")


def pytest_collection_modifyitems(config, items):
    """The slowest groups are queued first, so that no long group starts last."""
    def rank(item):
        callspec = getattr(item, "callspec", None)
        check = callspec.params.get("check") if callspec else None
        return 0 if check is not None and check.impl.name in SLOW_FIRST else 1

    items.sort(key=rank)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist: every worker uses the controller's run seed."""
    node.workerinput["dlprops_seed"] = node.config.dlprops_seed


def pytest_generate_tests(metafunc):
    if "check" not in metafunc.fixturenames:
        return
    props = registry.properties(metafunc.module.__name__)
    checks = registry.checks(props, metafunc.config.dlprops_impls)
    metafunc.parametrize("check", checks, ids=[c.id for c in checks])


def reproduce_command(config, check, nodeid: str) -> str:
    """The command that runs this one check again (:func:`properties.result.reproduce_command`), from the
    directory the run started in (:func:`node_path`)."""
    return result_module.reproduce_command(
        node_path(config, nodeid), impl_cli=check.impl.cli, seed=config.dlprops_seed,
        profile=settings._current_profile, check_timeout=config.getoption("check_timeout"),
        device=config.getoption("device"))


def node_path(config, nodeid: str) -> str:
    """``nodeid`` (relative to the checkout, pytest's rootdir) as the directory the run started in sees it: as it
    is when the run started in the checkout, else with the checkout's absolute path in front (a user running
    ``pytest /path/to/dlprops/properties --impl my_kernels.py`` from their own project)."""
    root = pathlib.Path(str(config.rootpath))
    if pathlib.Path(config.invocation_params.dir) == root:
        return nodeid
    return f"{root}/{nodeid}"


def signature_problem(check) -> str | None:
    """Why ``check`` cannot call its implementation as the catalogue says: the signature of its component (or of
    a component its property also calls) is not the catalogue's. ``None`` when the check is skipped anyway."""
    problems = getattr(check.impl, "signature_problems", None)
    if not problems or runner.skip_reason(check):
        return None
    return next((problems[c] for c in (check.prop.component, *check.prop.needs) if c in problems), None)


def test_property(check, request):
    """One check; its verdict and figures are recorded whatever the outcome."""
    config = request.config
    nodeid = request.node.nodeid
    problem = signature_problem(check)
    scoped = not problem and check.impl.deviation_regime(check.prop.component, check.prop.name, check.dtype)
    reason = None if problem or scoped else check.impl.deviation(check.prop.component, check.prop.name, check.dtype)
    if reason:  # a scoped deviation can still fail outside its regime: its xfail is decided after the run
        request.node.add_marker(pytest.mark.xfail(reason=reason, strict=False))
    if problem:  # a declared deviation does not cover it: the property was never asked
        record = Result.for_signature_error(check, problem, seed=runner.check_seed(check, config.dlprops_seed),
                                            nodeid=nodeid).to_json()
    else:
        record = runner.run_check(check, run_seed=config.dlprops_seed, nodeid=nodeid,
                                  timeout_s=config.getoption("check_timeout"))
    if record["status"] in ("failed", "error", "xfailed"):
        record["reproduce"] = reproduce_command(config, check, nodeid)
    if record["status"] in ("failed", "error"):  # a plain script making the failing calls again
        from reports.replay import write_replay
        record["replay"] = write_replay(config, check, record, [] if problem else runner.context.current().calls)
    request.node.user_properties.append((RESULT_KEY, record))
    if record["status"] == "skipped":
        pytest.skip(record["message"])
    if scoped and record["status"] == "xfailed":
        pytest.xfail(record["message"])
    if record["status"] in ("failed", "error", "xfailed"):
        detail = f"\ncounterexample: {record['counterexample']}" if record["counterexample"] else ""
        detail += f"\nreplay: python {record['replay']}" if record.get("replay") else ""
        pytest.fail(f"[{record['status']}] {record['message']}{detail}", pytrace=False)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """An xdist worker's process ends here, its results sent, without the interpreter's teardown: the
    controller waits for every worker to exit before it writes the reports, and freeing a cold run's ~1,200
    compiled XLA executables per worker took seconds (a cold norms-only run: 1.7 s from the last result to
    the written reports instead of 3.2 s)."""
    if _is_worker(config):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    token = getattr(config, "dlprops_run", None)
    if token is not None:  # the run's state is dropped; the one before it (an outer session's) is current again
        del config.dlprops_run
        draw_state.finish(token)


def pytest_runtest_logreport(report):
    # the hook is given no config: the session's, as the run keeps it
    config = getattr(report, "config", None) or draw_state.current().config
    if config is None or _is_worker(config) or not hasattr(config, "dlprops_recorder"):
        return
    config.dlprops_recorder.add_report(report)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    config = session.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if not _is_worker(config) and reporter is not None:  # at load, one line each; the summary repeats them
        for line in signature_lines(config) + getattr(config, "dlprops_load_notes", []):
            reporter.write_line(f"dlprops: {line}", yellow=True)
    if config.pluginmanager.has_plugin("dsession") and config.getoption("report_html"):
        # an xdist controller only waits for results meanwhile; in a serial run the thread would only take the
        # interpreter from the checks (and a second thread changes how Hypothesis shrinks)
        from reports.html import prepare_in_background
        prepare_in_background()


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if not _is_worker(config) and hasattr(config, "dlprops_recorder"):
        config.dlprops_recorder.finish()


def signature_lines(config) -> list[str]:
    """One line per plug-in component whose signature is not the catalogue's."""
    return [f"{impl.name}: {problem}" for impl in getattr(config, "dlprops_impls", [])
            for problem in getattr(impl, "signature_problems", {}).values()]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The controller's summary of the checks (an xdist worker has none: its results went to the controller)."""
    recorder = getattr(config, "dlprops_recorder", None)
    if _is_worker(config) or recorder is None or not recorder.results:
        return
    from reports.summary import summary_lines
    lines = summary_lines(list(recorder.results.values()), impl_order=[i.name for i in config.dlprops_impls],
                          written=recorder.written,
                          load_problems=signature_lines(config) + getattr(config, "dlprops_load_notes", []))
    terminalreporter.write_sep("=", "dlprops summary")
    for line in lines:
        terminalreporter.write_line(line)
