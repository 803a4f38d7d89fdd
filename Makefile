# Two commands on a fresh machine: `make demo` (serve the demo district) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ELDERS ?= 20000
HOST ?= 127.0.0.1:8000
export DJANGO_SETTINGS_MODULE ?= config.django.local

.PHONY: demo test setup serve seed lint messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

yiyang/locale/en/LC_MESSAGES/django.mo: yiyang/locale/en/LC_MESSAGES/django.po $(VENV)/.installed
	cd yiyang && ../$(PY) ../manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null

setup: $(VENV)/.installed node_modules/.installed yiyang/locale/en/LC_MESSAGES/django.mo

demo: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed --elders $(DEMO_ELDERS) --if-empty
	$(PY) manage.py seed_assessments
	$(PY) manage.py seed_benefits --if-empty
	$(PY) manage.py readings_maintain
	$(PY) manage.py demo_logins --url http://$(HOST)
	@echo "Monitoring: intake (MQTT/TCP), escalation and a 50-elder simulator run beside the server; the console is /alerts/."
	trap 'kill 0' EXIT; \
	$(PY) manage.py intake & \
	$(PY) manage.py escalate & \
	(sleep 5; $(PY) manage.py simulate --elders 50 --speed 60 --base-url http://$(HOST)) & \
	$(PY) manage.py runserver $(HOST)

test: setup
	DJANGO_SETTINGS_MODULE=config.django.test $(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy yiyang config
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

messages: setup
	cd yiyang && ../$(PY) ../manage.py makemessages -l en --ignore=.venv --ignore=node_modules --no-obsolete

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3*
