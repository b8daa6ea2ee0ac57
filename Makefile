# esurety — two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
DEMO_DB := var/demo.sqlite3
DEMO_ENV := ESURETY_DEMO=1 DEBUG=0 DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) \
	SITE_URL=http://127.0.0.1:$(PORT) \
	EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH=$(CURDIR)/var/demo-mail

.PHONY: demo test lint typecheck test-sqlite test-postgres test-e2e bench system-deps venv clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

system-deps:
	bash scripts/system-deps.sh

demo: venv system-deps
	mkdir -p var/static var/demo-mail
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(DEMO_ENV) $(PY) manage.py migrate --verbosity 0
	$(DEMO_ENV) $(PY) manage.py createcachetable
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(PY) manage.py demo_seed
	$(DEMO_ENV) $(PY) manage.py signing_demo_ca
	@echo ""
	@echo "  esurety demo: http://127.0.0.1:$(PORT)/"
	@echo "  logins (password demo-pass-2026): demo-contractor, demo-orderer, demo-staff (also demo-clerk, demo-approver, demo-admin)"
	@echo "  e-mails the demo sends are written to var/demo-mail/"
	@echo "  public document check: http://127.0.0.1:$(PORT)/check/   JSON API: http://127.0.0.1:$(PORT)/api/v1/docs"
	@echo "  PDFs are signed by a throwaway demo CA in var/signing/ (never use it in production)"
	@echo ""
	$(DEMO_ENV) bash -c 'trap "kill 0" EXIT; $(PY) manage.py run_worker & \
		$(VENV)/bin/gunicorn esurety.config.wsgi --pythonpath src --bind 127.0.0.1:$(PORT) \
		--workers 2 --access-logfile - & wait'

lint: venv
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: venv
	ESURETY_TESTING=1 $(VENV)/bin/mypy src

test-sqlite: venv
	ESURETY_TESTING=1 DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(VENV)/bin/pytest -q -p no:cacheprovider

test-postgres: venv
	ESURETY_TESTING=1 DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest -q -p no:cacheprovider

test: venv system-deps lint typecheck
	mkdir -p var/static
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

bench: venv
	bash scripts/system-deps.sh wrk
	bash scripts/services.sh
	$(PY) bench/run.py

clean:
	rm -rf var $(VENV)
