# make run: set up and serve the demo contest.  make test: install what the tests need and run them.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app wsgi
HOST    ?= 127.0.0.1
PORT    ?= 8000
WORKERS ?= 2
DEPS    := $(VENV)/.deps-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

.PHONY: run setup demo test lint system-deps node-deps bench-deps bench bench-spike bench-cluster cluster bench-flow bench-profile bench-posters bench-insight clean

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
	@$(FLASK) user demo

run: demo
	@echo
	@echo "  药品安全网络知识竞赛 (demo) → http://$(HOST):$(PORT)/c/demo"
	@echo "  管理后台: http://$(HOST):$(PORT)/admin"
	@echo "  API: http://$(HOST):$(PORT)/api/v1/contests/demo   OpenAPI: http://$(HOST):$(PORT)/api/v1/openapi.json"
	@echo "  上线前检查部署: $(FLASK) doctor    备份: $(FLASK) backup create"
	@if [ -z "$$PUBLIC_BASE_URL" ]; then \
	  echo "  二维码与海报: 未设置 PUBLIC_BASE_URL，后台生成的二维码指向浏览器所用的地址；"; \
	  echo "  要印给别人扫，请设置参赛者能打开的地址，如 PUBLIC_BASE_URL=https://quiz.example.cn make run"; \
	  echo "  （在反向代理之后另设 TRUSTED_PROXIES=1）"; \
	else echo "  二维码与海报指向: $$PUBLIC_BASE_URL"; fi
	@echo
	BIND=$(HOST):$(PORT) WEB_CONCURRENCY=$(WORKERS) $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app

# Debian packages the tests need, installed only when missing (never a downloaded browser build):
# chromium for the Playwright browser test, poppler-utils (pdftoppm, pdftotext, pdfinfo) to render
# and read the posters, and a CJK TrueType font to embed in them. WeasyPrint (the PDF summary report)
# loads Pango at run time: libpango-1.0-0 and libpangoft2-1.0-0 (which pull in HarfBuzz, fontconfig
# and GLib), and libharfbuzz-subset0, which it uses to subset the embedded fonts.
SYSTEM_PKGS := chromium poppler-utils fonts-wqy-zenhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

# Installs the Debian packages named in $(1) that are missing (dpkg decides, so a second run is quiet).
define apt_install
	@missing=""; for pkg in $(1); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-deps:
	$(call apt_install,$(SYSTEM_PKGS))

# axe-core for the accessibility browser test, at the version package-lock.json pins (npm ci, never a
# CDN); installed again only when the lock file changes. Without it that test skips itself.
NODE_DEPS := node_modules/.deps-$(shell cat package-lock.json 2>/dev/null | sha1sum | cut -c1-12)

$(NODE_DEPS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "installing Debian package: npm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-deps: $(NODE_DEPS)

# The benchmark's load generator (wrk) and the cluster's load balancer (nginx).
BENCH_PKGS := wrk nginx

bench-deps:
	$(call apt_install,$(BENCH_PKGS))

lint: setup
	$(VENV)/bin/ruff check quizapp tests bench wsgi.py

test: setup system-deps node-deps lint
	$(PY) -m pytest

# wrk against gunicorn -w 2 on SQLite and PostgreSQL: req/s, p50, p99 and the ratio to /healthz per endpoint.
bench: setup bench-deps
	$(PY) bench/wrk_bench.py

# The same, then the launch spike: 1,000 connections for 20 s on landing, register and start.
bench-spike: setup bench-deps
	$(PY) bench/wrk_bench.py --spike

# nginx (deploy/nginx-quizapp.conf) in front of two gunicorn servers on PostgreSQL and Redis, until Ctrl-C.
cluster: setup bench-deps
	$(PY) bench/cluster.py

# The wrk benchmark through that cluster.
bench-cluster: setup bench-deps
	$(PY) bench/wrk_bench.py --cluster

# A full round per virtual participant through the API (checks the flow, not the speed).
bench-flow: setup
	$(PY) bench/load.py

# Where the time goes per endpoint (cProfile, grouped by library).
bench-profile: setup
	$(PY) bench/profile_endpoints.py --top 15

bench-posters: setup system-deps
	$(PY) bench/posters.py

# Statistics on a generated national-size contest (300,000 participants, 1,000,000 attempts), both databases.
bench-insight: setup
	$(PY) bench/insight.py --backend sqlite
	$(PY) bench/insight.py --backend postgresql

clean:
	rm -rf $(VENV) instance/*.sqlite3*
