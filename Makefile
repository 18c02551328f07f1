# posture-watch: `make demo` and `make test` each set up a fresh machine from nothing:
# a .venv in the repo, the package with its dev extra, the pose model, the sample videos.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PW     := $(VENV)/bin/posture-watch
STAMP  := $(VENV)/.installed

.PHONY: demo test fuzz bench install model samples sysdeps clean

demo: samples
	$(PW) demo

test: samples sysdeps
	$(PY) -m pytest -q

# The property tests with fresh random examples each run (make test and CI use fixed, derandomized ones).
fuzz: samples
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -m property

bench: samples
	$(PY) benchmarks/run.py

install: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

model: $(STAMP)
	@$(PW) model fetch >/dev/null

samples: model
	$(PY) sample_videos/generate.py

sysdeps:
	@bash scripts/install-system-deps.sh

clean:
	rm -rf $(VENV) sample_videos/*.mp4 .pytest_cache
