# The quick start is two commands: `make verify` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LIBSTAMP := $(VENV)/.libraries-installed
# Two workers on CI's two cores; pytest-xdist keeps one crashing implementation from stopping the rest.
WORKERS ?= 2
# The derandomized profile: the same commit gives the same verdicts on every machine (and the README's
# Findings match a fresh `make verify`). Explore with `--hypothesis-profile dev` or `thorough` by hand.
PROFILE ?= ci

.PHONY: verify test check bench scoreboard clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# the libraries the scoreboard checks (transformers, flax, keras, equinox); make verify does not need them
$(LIBSTAMP): requirements-libraries.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-libraries.txt
	touch $(LIBSTAMP)

## verify every built-in implementation; writes reports/report.html and reports/results.json
verify: $(STAMP)
	$(PY) -m pytest properties -n $(WORKERS) --hypothesis-profile=$(PROFILE) \
		--report-json reports/results.json --report-html reports/report.html

## the whole test suite: every property over the built-ins, the tests of the suite itself, then every property over
## the library adapters (the derandomized `libraries` profile: 8 examples a check; make scoreboard runs them in full)
test: $(STAMP) $(LIBSTAMP)
	$(PY) -m pytest properties tests -n $(WORKERS) --hypothesis-profile=$(PROFILE)
	$(PY) -m pytest properties -n $(WORKERS) --hypothesis-profile=libraries --no-builtins --libraries \
		--no-entry-points --report-json reports/libraries/results.json --report-html reports/libraries/report.html

## check one implementation module: make check IMPL=path/to/my_kernels.py (a path relative to this checkout, or
## absolute, or a dotted module); only it, no built-ins or entry points; writes reports/report.html, results.json
## and a replay script per failure under reports/replays/
check: $(STAMP)
	@test -n "$(IMPL)" || { echo "usage: make check IMPL=path/to/module.py" >&2; exit 2; }
	$(PY) -m pytest properties -n $(WORKERS) --hypothesis-profile=$(PROFILE) --impl $(IMPL) --no-builtins \
		--no-entry-points --report-json reports/results.json --report-html reports/report.html

## the libraries users build with (transformers, torch.nn, flax.nnx, Equinox, keras.ops, optax), checked as they
## call them: writes reports/scoreboard/index.html (library x component matrix, each finding explained)
scoreboard: $(LIBSTAMP)
	$(PY) -m pytest properties -n $(WORKERS) --hypothesis-profile=$(PROFILE) --no-builtins --libraries \
		--no-entry-points --report-json reports/scoreboard/results.json --report-html reports/scoreboard/report.html; \
	status=$$?; $(PY) -m reports scoreboard reports/scoreboard/results.json -o reports/scoreboard/index.html \
		&& exit $$status

## the speed benchmark (writes reports/bench.json)
bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf reports/*.json reports/*.jsonl reports/*.html reports/replays reports/scoreboard reports/libraries .hypothesis
