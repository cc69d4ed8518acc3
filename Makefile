# The two commands of the README:
#   make demo   installs everything and runs Sigap on its embedded defaults with demo data
#   make test   installs everything and runs the whole test suite (as .ci/run does)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install keys browser lint check bench

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Sigap needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.lock
	$(VENV)/bin/pip install -q --no-deps -e .
	@# The inactive django-fsm must never sit beside django-fsm-2: both install the django_fsm module.
	@! $(VENV)/bin/pip show -q django-fsm 2>/dev/null || (echo "django-fsm is installed beside django-fsm-2" && false)
	touch $@

install: $(VENV)/.installed keys

# The secrets a server reads from var/ (or $$SIGAP_VAR_DIR) when the environment does not set
# them: SECRET_KEY, SIGAP_DATA_KEYS, SIGAP_INDEX_KEY (README: Keys). Each missing one is written,
# mode 0600; none is ever overwritten. With DEBUG off Sigap refuses to start without them.
keys: $(VENV)/.installed
	$(PY) -m config.keys

# Debian's Chromium for the browser tests (Playwright cannot download a browser here).
browser:
	@command -v chromium >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(PY) manage.py migrate --no-input
	SIGAP_PUBLIC_URL=http://$(HOST):$(PORT) $(PY) manage.py seed_demo
	SIGAP_PUBLIC_URL=http://$(HOST):$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache

check: install
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

test: install browser lint check
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# Backup and restore (docs/operations/backup.md): PostgreSQL and the evidence store in one archive.
# The keys (SIGAP_DATA_KEYS, SIGAP_INDEX_KEY) are not in it: keep them apart.
#   make backup [BACKUP_DIR=/srv/backups/sigap]
#   make restore ARCHIVE=<sigap-backup-….tar> [RESTORE_ARGS=--force]
.PHONY: backup restore
BACKUP_DIR ?= var/backups

backup: $(VENV)/.installed
	$(PY) manage.py backup $(BACKUP_DIR)/

restore: $(VENV)/.installed
	@test -n "$(ARCHIVE)" || { echo "make restore ARCHIVE=<sigap-backup-….tar> [RESTORE_ARGS=--force]"; false; }
	$(PY) manage.py restore $(ARCHIVE) $(RESTORE_ARGS)
