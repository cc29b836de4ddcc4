# LEO for QGIS: the two commands are `make run` and `make test`; each installs what is missing.
SHELL := /bin/bash
PYTHON := .venv/bin/python
STAMPS := .stamps
LEO_PORT ?= 8765
export LEO_PORT
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
# One pinned package set per Debian release (the system GDAL decides numpy 1 or 2).
RELEASE := $(shell bash scripts/debian_release.sh)
CONSTRAINTS := constraints/$(RELEASE).txt

.PHONY: run test test-qgis serve bench bench-scale package clean lint setup system venv plugin-files demo web

run: setup demo            ## start the catalogue server, open its web portal, and QGIS with the plugin
	LEO_OPEN_PORTAL=1 bash scripts/run_qgis.sh

test: setup                ## run the whole test suite headless
	bash scripts/run_tests.sh

serve: setup demo          ## the catalogue server only, in the foreground
	$(PYTHON) -m leo_catalogue serve --host 127.0.0.1 --port $(LEO_PORT)

test-qgis: system         ## the whole suite on QGIS 3.22, 3.40 and 3.44 (Debian 12, 13, unstable chroots; root)
	/usr/bin/python3 scripts/qgis_matrix.py $(QGIS_RELEASES)

bench: setup demo          ## benchmarks: print figures and ratios
	$(PYTHON) scripts/bench.py
	$(PYTHON) scripts/bench_portal.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_constraints.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_export.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_catalogue.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_oapif.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_flex.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_aggregate.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_temporal.py
	bash scripts/bench_walkthrough.sh
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_open_file.py
	QT_QPA_PLATFORM=offscreen $(PYTHON) scripts/bench_gb_portals.py
	$(PYTHON) scripts/bench_ingest.py
	$(PYTHON) scripts/bench_load.py
	bash scripts/bench_startup.sh

bench-scale: setup          ## national scale on PostgreSQL: a month of feeder rows (LEO_SCALE_FEEDERS), not in bench or CI
	$(PYTHON) scripts/bench_scale.py

package: plugin-files      ## installable plugin zip in dist/
	bash scripts/package_plugin.sh $(VERSION)

$(CONSTRAINTS):
	@echo "No pinned package set for Debian '$(RELEASE)' ($@). Supported: $$(ls constraints | sed 's/.txt//' | xargs)." >&2
	@echo "To make one: install requirements.txt into a venv on that release and 'pip freeze > $@'." >&2
	@exit 1

lint: venv
	$(PYTHON) -m ruff check .

setup: system venv plugin-files web

# The web portal's scripts: OpenLayers, uPlot and esbuild from the npm registry (package-lock.json), bundled once.
PORTAL_BUILT := leo_catalogue/portal/static/dist/search.js
web: $(PORTAL_BUILT)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(PORTAL_BUILT): node_modules/.package-lock.json scripts/build_portal.mjs $(wildcard leo_catalogue/portal/js/*.js)
	npm run --silent build

system:
	bash scripts/install_system_deps.sh

venv: $(STAMPS)/venv $(STAMPS)/pyqt6

# PyQt6 from PyPI in an environment of its own: the test that the plugin's Qt names are Qt 6 names.
$(STAMPS)/pyqt6: constraints/pyqt6.txt
	@mkdir -p $(STAMPS)
	test -x var/pyqt6-venv/bin/python || /usr/bin/python3 -m venv var/pyqt6-venv
	var/pyqt6-venv/bin/python -m pip install --quiet --disable-pip-version-check -r constraints/pyqt6.txt
	touch $@

$(STAMPS)/venv: requirements.txt $(CONSTRAINTS)
	@mkdir -p $(STAMPS)
	test -x $(PYTHON) || /usr/bin/python3 -m venv --system-site-packages .venv
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c $(CONSTRAINTS)
	touch $@

plugin-files: leo_qgis_plugin/metadata.txt

leo_qgis_plugin/metadata.txt: metadata.txt
	cp metadata.txt $@

demo: venv                 ## build the demo catalogue if absent (about half a minute)
	$(PYTHON) -m leo_catalogue load-demo --if-needed --gb-operators

clean:
	@# A chroot of the QGIS matrix still mounted (an interrupted run) would take the host's /dev with it.
	@! grep -q " $(CURDIR)/var/" /proc/mounts || { echo "Unmount what is mounted under var/ first (see /proc/mounts)." >&2; exit 1; }
	rm -rf .venv $(STAMPS) var dist .pytest_cache .ruff_cache .qgis-settings \
		leo_qgis_plugin/metadata.txt node_modules leo_catalogue/portal/static/dist
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
