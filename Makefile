# Ondernemersloket: the single entry point. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
DEPLOY_VENV := .venv-deploy
LOAD_VENV := .venv-load
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL_DIR := models
SPACY_DIR := var/spacy/nl_pipeline
NLU_THRESHOLD ?= 0.90
TOPIC_ACCURACY ?= 0.93

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONHASHSEED := 0
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install spacy-model install-browser install-haproxy train run test lint check unit validate test-stories test-nlu nlu-report bench lock clean officer k8s-validate content-report import-ipdc purge fuzz migrate loadtest faulttest

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: $(VENV)/.installed $(SPACY_DIR)/.built ## Create .venv (Python 3.10) with pinned dependencies

$(VENV)/.installed: requirements.in requirements-dev.in constraints.txt
	@py310="$$(scripts/find_python.sh)" || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  rm -rf $(VENV) && "$$py310" -m venv $(VENV); fi
	$(PY) -m pip install -q --disable-pip-version-check "pip==24.0"
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.in -r requirements-dev.in -c constraints.txt
	@touch $@

$(SPACY_DIR)/.built: scripts/build_spacy_pipeline.py $(VENV)/.installed
	$(PY) scripts/build_spacy_pipeline.py $(SPACY_DIR)
	@touch $@

spacy-model: install ## Use spaCy's nl_core_news_sm: make spacy-model WHEEL=path/to/nl_core_news_sm-3.4.0-py3-none-any.whl
	@test -n "$(WHEEL)" || { echo "give the downloaded wheel: make spacy-model WHEEL=..."; exit 1; }
	$(PY) -m pip install --no-deps "$(WHEEL)"
	SPACY_MODEL_REQUIRED=1 $(PY) scripts/build_spacy_pipeline.py $(SPACY_DIR)
	@touch $(SPACY_DIR)/.built

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install-browser: ## Install Debian's chromium for the browser tests (Playwright uses it, never downloads one)
	@scripts/install_browser.sh

install-haproxy: ## Install Debian's haproxy for the production profile (the launcher runs it as its own child process)
	@scripts/install_haproxy.sh

train: install ## Train the model when data, domain, config or content changed
	$(PY) scripts/train_if_needed.py --out $(MODEL_DIR)

run: install train $(if $(filter production,$(PROFILE)),install-haproxy) ## Start dossier service, action server, Rasa and web app (logs in var/log/); PROFILE=production: replicas behind HAProxy
	$(PY) scripts/run.py

lint: install ## ruff + mypy
	$(VENV)/bin/ruff check bot actions connectors launcher nlu_components scripts tests bench deploy
	$(VENV)/bin/mypy

check: lint ## Fast loop: lint plus the unit tier (no browser, no trained model, no servers)
	$(VENV)/bin/pytest -q -m "not e2e and not browser and not services"

unit: install install-browser install-haproxy node_modules/.installed ## Unit, integration and browser tests (pytest)
	$(VENV)/bin/pytest -q --durations=25

validate: install ## rasa data validate
	$(PY) scripts/validate_data.py

test-stories: train ## Story tests (fail on any prediction error)
	$(RASA) test core --model $(MODEL_DIR) --stories tests/stories --fail-on-prediction-errors --out results/core

test-nlu: train ## NLU test on both held-out sets: fails under TOPIC_ACCURACY topic accuracy on either
	$(RASA) test nlu --model $(MODEL_DIR) --nlu tests/nlu/heldout.yml --out results/nlu --no-plot
	$(RASA) test nlu --model $(MODEL_DIR) --nlu tests/nlu/heldout_angle.yml --out results/nlu-angle --no-plot
	$(PY) scripts/nlu_report.py heldout.yml=results/nlu heldout_angle.yml=results/nlu-angle \
	  --min-topic-accuracy $(TOPIC_ACCURACY) --min-f1 $(NLU_THRESHOLD)

nlu-report: test-nlu ## Per-topic precision/recall/F1 and confused pairs, written to docs/nlu-report.md

test: install lint validate k8s-validate train unit test-stories test-nlu ## Everything CI runs
	@echo "make test: all checks passed"

$(DEPLOY_VENV)/.installed: deploy/requirements.txt
	@py3="$$(command -v python3 || command -v python3.10)"; rm -rf $(DEPLOY_VENV) && "$$py3" -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install -q --disable-pip-version-check -r deploy/requirements.txt
	@touch $@

k8s-validate: $(DEPLOY_VENV)/.installed ## Render the Kubernetes manifests (kubectl kustomize) and validate them against the schemas
	@scripts/install_kubectl.sh
	$(DEPLOY_VENV)/bin/python deploy/validate.py

$(LOAD_VENV)/.installed: bench/loadtest/requirements.txt
	@py3="$$(command -v python3 || command -v python3.10)"; rm -rf $(LOAD_VENV) && "$$py3" -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install -q --disable-pip-version-check -r bench/loadtest/requirements.txt
	@touch $@

loadtest: install train install-haproxy $(LOAD_VENV)/.installed ## Locust: 10,000 messages, 50 conversations at once, production profile (proxy + replicas) then local; LOAD_ARGS="--messages 2000"
	$(PY) -m bench.loadtest $(LOAD_ARGS)

faulttest: install train install-haproxy $(LOAD_VENV)/.installed ## Production profile under load while a Rasa and an action replica die, PostgreSQL drops connections, RabbitMQ goes away 30 s, Redis restarts; FAULT_ARGS=--short
	$(PY) -m bench.loadtest.faulttest $(FAULT_ARGS)

bench: install ## Whole stack vs a stock rasa init bot (ratios first), then micro-benchmarks; uses the trained model as it is
	$(PY) -m bench $(BENCH_ARGS)

officer: install ## Create an officer account: make officer NAME=sofie COUNTERS="aalst gent" (asks the password)
	$(PY) -m bot.handoff create-officer --name "$(NAME)" $(if $(DISPLAY_NAME),--display-name "$(DISPLAY_NAME)") $(foreach c,$(COUNTERS),--counter $(c))

content-report: install ## Topics by age of review, bare home pages, unchecked sources, overdue per tenant (OUT=file to save)
	$(PY) scripts/content_report.py $(if $(OUT),--out "$(OUT)")

import-ipdc: install ## Import local products from the Flemish product catalogue for review (DIR=saved pages, else URL=… or the IPDC feed with IPDC_API_KEY)
	$(PY) -m bot.ipdc import $(if $(DIR),--dir "$(DIR)",$(if $(URL),--url "$(URL)"))

migrate: install ## Apply the missing database migrations of our own tables (ROLES="handoff outbox", default all); services also migrate on start
	$(PY) -m bot.storage migrate $(ROLES)

purge: install ## Delete data older than the tenant's retention_days, once (for cron); prints counts per store
	$(PY) -m bot.retention

fuzz: install ## Fuzz every HTTP API in-process with hypothesis (FUZZ_EXAMPLES inputs, default 100000); prints inputs, 5xx and time
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),100000) $(PY) -m tests.security.fuzz

lock: ## Re-pin constraints.txt from the current .venv
	$(PY) -m pip freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel)==' > constraints.txt

clean: ## Remove models, results and local state (keeps .venv)
	rm -rf $(MODEL_DIR) results var
