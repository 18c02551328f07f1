"""`make test` and CI give the same result on every run: property tests draw the same (derandomized)
examples each time, with no example database carried between runs; `make fuzz` runs them with fresh ones."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from hypothesis import settings

from conftest import ROOT


@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE") == "fuzz", reason="make fuzz draws fresh examples")
def test_property_tests_are_derandomized_in_make_test_and_ci():
    assert settings.default.derandomize is True
    assert settings.default.database is None
    assert settings.default.deadline is None     # nothing that times the machine decides a run


def test_every_property_test_ignores_how_fast_the_machine_is():
    """A test's own @settings(suppress_health_check=...) replaces the profile's list: each must keep too_slow."""
    import importlib
    import inspect

    from hypothesis import HealthCheck

    files = [p for p in (ROOT / "tests").glob("test_*.py") if re.search(r"^@given", p.read_text(), re.M)]
    assert files
    for module in (importlib.import_module(p.stem) for p in files):
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if getattr(func, "is_hypothesis_test", False):
                chosen = func._hypothesis_internal_use_settings
                assert HealthCheck.too_slow in chosen.suppress_health_check and chosen.deadline is None, name


def _make_target(name: str) -> str:
    text = (ROOT / "Makefile").read_text()
    found = re.search(rf"^{name}:.*\n((?:\t.*\n)+)", text, re.M)
    assert found, f"no `{name}` target in the Makefile"
    return found.group(1)


def test_make_fuzz_runs_every_property_test_with_fresh_examples():
    recipe = _make_target("fuzz")
    assert "HYPOTHESIS_PROFILE=fuzz" in recipe and "-m property" in recipe
    assert "HYPOTHESIS_PROFILE" not in _make_target("test")
    env = dict(os.environ, HYPOTHESIS_PROFILE="fuzz")
    listed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "property",
                             "-p", "no:cacheprovider"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    ids = [line for line in listed.stdout.splitlines() if "::" in line]
    every = subprocess.run(["grep", "-rlE", "^@given", "tests"], capture_output=True, text=True, cwd=ROOT).stdout.split()
    assert ids and {i.split("::")[0] for i in ids} == set(every)
    probe = ("import conftest\nfrom hypothesis import settings\n"
             "print(settings.default.derandomize, settings.default.database)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT / "tests",
                         env=env, timeout=300)
    assert out.stdout.split() == ["False", "None"], out.stderr
