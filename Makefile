# LEO for QGIS: the two commands are `make run` and `make test`; each installs what is missing.
SHELL := /bin/bash
PYTHON := .venv/bin/python
STAMPS := .stamps
LEO_PORT ?= 8765
export LEO_PORT
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)

.PHONY: run test serve bench package clean lint setup system venv plugin-files demo

run: setup demo            ## start the catalogue server and QGIS with the plugin
	bash scripts/run_qgis.sh

test: setup                ## run the whole test suite headless
	bash scripts/run_tests.sh

serve: setup demo          ## the catalogue server only, in the foreground
	$(PYTHON) -m leo_catalogue serve --host 127.0.0.1 --port $(LEO_PORT)

bench: setup demo          ## benchmarks: print figures and ratios
	$(PYTHON) scripts/bench.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_constraints.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_export.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_catalogue.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_flex.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_aggregate.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_temporal.py
	$(PYTHON) scripts/bench_ingest.py
	bash scripts/bench_startup.sh

package: plugin-files      ## installable plugin zip in dist/
	bash scripts/package_plugin.sh $(VERSION)

lint: venv
	$(PYTHON) -m ruff check .

setup: system venv plugin-files

system:
	bash scripts/install_system_deps.sh

venv: $(STAMPS)/venv

$(STAMPS)/venv: requirements.txt constraints.txt
	@mkdir -p $(STAMPS)
	test -x $(PYTHON) || /usr/bin/python3 -m venv --system-site-packages .venv
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

plugin-files: leo_qgis_plugin/metadata.txt leo_qgis_plugin/resources.py

leo_qgis_plugin/metadata.txt: metadata.txt
	cp metadata.txt $@

leo_qgis_plugin/resources.py: resources.qrc leo_qgis_plugin/icons/leo.svg
	pyrcc5 -o $@ resources.qrc

demo: venv                 ## build the demo catalogue if absent (about half a minute)
	$(PYTHON) -m leo_catalogue load-demo --if-needed

clean:
	rm -rf .venv $(STAMPS) var dist .pytest_cache .ruff_cache .qgis-settings \
		leo_qgis_plugin/metadata.txt leo_qgis_plugin/resources.py
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
