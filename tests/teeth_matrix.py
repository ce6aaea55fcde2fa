"""Which properties catch at least one planted bug: every property against every mutant (first dtype),
without stopping at the first catch. Writes reports/teeth.json; prints the properties that catch none.

    python tests/teeth_matrix.py
"""
import collections
import json
import pathlib
import sys
import warnings
ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")
from hypothesis import settings
from properties import runner
from properties.loader import import_target, make_impl
from properties.registry import NO_DTYPE, Check
from tests.conftest import import_property_modules
runner.register_profiles()
props = import_property_modules()
base = settings(settings.get_profile("mutants"), max_examples=25)
caught = collections.defaultdict(list)
applicable = collections.Counter()
for path in sorted(ROOT / "tests" / "mutants".glob("*.py")):
    impl = make_impl(import_target(str(path)), str(path))
    for p in props:
        if not impl.provides(p.component):
            continue
        dtypes = [d for d in p.dtypes if d in impl.dtypes or d == NO_DTYPE][:1]
        for d in dtypes:
            r = runner.run_check(Check(impl, p, d), base_settings=base)
            if r["status"] != "skipped":
                applicable[p.key] += 1
            if r["status"] in ("failed", "error"):
                caught[p.key].append(path.stem)
toothless = sorted(k for k in applicable if not caught[k])
json.dump({"caught": caught, "toothless": toothless, "applicable": applicable}, open(ROOT / "reports" / "teeth.json", "w"), indent=1)
print(len(props), "properties;", len(applicable), "applicable to some mutant;", len(toothless), "catch none:")
print("\n".join(toothless))
