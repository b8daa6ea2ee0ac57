# esurety — two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# Test processes per suite (pytest-xdist): one per core of the 2-core CI machine. Each has its
# own test database and Redis database (settings.redis_url_of_test_worker); at most 12.
TEST_WORKERS ?= 2
# Everything the demo writes lives under DEMO_VAR (tests/demo/test_demo_mail.py builds a
# demo in a temporary one with `make demo-build DEMO_VAR=...` and reads `make demo-env`).
DEMO_VAR ?= $(CURDIR)/var
DEMO_DB := $(DEMO_VAR)/demo.sqlite3
DEMO_MAIL := $(DEMO_VAR)/demo-mail
DEMO_ENV := ESURETY_DEMO=1 DEBUG=0 DATABASE_URL=sqlite:///$(DEMO_DB) \
	SITE_URL=http://127.0.0.1:$(PORT) STATIC_ROOT=$(DEMO_VAR)/static ESURETY_SIGNING_DIR=$(DEMO_VAR)/signing \
	EMAIL_BACKEND=esurety.demo.mail.EmailBackend EMAIL_FILE_PATH=$(DEMO_MAIL)

.PHONY: demo demo-build demo-env test lint typecheck test-sqlite test-postgres test-e2e bench system-deps venv clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

system-deps:
	bash scripts/system-deps.sh

demo: venv system-deps demo-build
	@echo ""
	@echo "  esurety demo: http://127.0.0.1:$(PORT)/"
	@echo "  logins (password demo-pass-2026): demo-contractor, demo-orderer, demo-staff, demo-bank (also demo-clerk, demo-approver, demo-admin)"
	@echo "  e-mails the demo sends are written to $(DEMO_MAIL)/ (one .eml each)"
	@echo "  read them in the browser: http://127.0.0.1:$(PORT)/demo/mail/ (デモ用メールボックス)"
	@echo "  public document check: http://127.0.0.1:$(PORT)/check/   JSON API: http://127.0.0.1:$(PORT)/api/v1/docs"
	@echo "  PDFs are signed by a throwaway demo CA in $(DEMO_VAR)/signing/ (never use it in production)"
	@echo ""
	$(DEMO_ENV) bash -c 'trap "kill 0" EXIT; $(PY) manage.py run_worker & \
		$(VENV)/bin/gunicorn esurety.config.wsgi --pythonpath src --bind 127.0.0.1:$(PORT) \
		--workers 2 --access-logfile - & wait'

# A fresh demo database, its mail folder emptied (no mail of an earlier run in the mailbox).
demo-build:
	mkdir -p $(DEMO_VAR)/static $(DEMO_MAIL)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_MAIL)/*.eml
	$(DEMO_ENV) $(PY) manage.py migrate --verbosity 0
	$(DEMO_ENV) $(PY) manage.py createcachetable
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(PY) manage.py demo_seed
	$(DEMO_ENV) $(PY) manage.py signing_demo_ca

# The demo's environment, one line (read by the demo's test, so both use the same values).
demo-env:
	@echo '$(DEMO_ENV)'

lint: venv
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	PYTHONPATH=src $(VENV)/bin/lint-imports

typecheck: venv
	ESURETY_TESTING=1 $(VENV)/bin/mypy src

# Every test runs on both databases except two kinds, each run once where it means something:
# the browser tests (tests/e2e, marker e2e) drive pages whose every query the rest of the suite
# already runs on both databases, and take half of a suite's time, so they run on PostgreSQL,
# production's database; the tests marked sqlite_only are about a SQLite database whatever the
# suite's (`make demo`'s, or a server's own), so they run in the SQLite suite.
test-sqlite: venv
	ESURETY_TESTING=1 DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(VENV)/bin/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) -m "not e2e"

test-postgres: venv
	ESURETY_TESTING=1 DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) -m "not sqlite_only"

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
