# make run: set up and serve the demo contest.  make test: install what the tests need and run them.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app wsgi
HOST    ?= 127.0.0.1
PORT    ?= 8000
WORKERS ?= 2
DEPS    := $(VENV)/.deps-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

.PHONY: run setup demo test lint browser-deps bench clean

$(DEPS): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.deps-* && touch $@

setup: $(DEPS)

demo: setup
	$(FLASK) db upgrade
	$(FLASK) bank load-dir questions/banks
	$(FLASK) contest load questions/demo-contest.json

run: demo
	@echo
	@echo "  药品安全网络知识竞赛 (demo) → http://$(HOST):$(PORT)/c/demo"
	@echo "  API: http://$(HOST):$(PORT)/api/v1/contests/demo   OpenAPI: http://$(HOST):$(PORT)/api/v1/openapi.json"
	@echo
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# Debian's chromium for the Playwright browser test; never a downloaded browser build.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: setup
	$(VENV)/bin/ruff check quizapp tests bench wsgi.py

test: setup browser-deps lint
	$(PY) -m pytest

bench: setup
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) instance/*.sqlite3*
