# account_relance_fr — the two commands of the README: `make run` and `make test`.
.PHONY: run test setup reset bench lint clean

run:            ## set up, create the demo database once, serve Odoo on http://localhost:8069
	bash tools/run.sh

test:           ## set up, install in a throwaway database, run the whole test suite
	bash tools/test.sh

setup:          ## only the environment: virtualenv, Odoo, wkhtmltopdf/chromium, PostgreSQL
	bash tools/setup.sh

reset:          ## drop the demo database (the next `make run` recreates it)
	PGUSER=$${PGUSER:-$$(id -un)} dropdb --if-exists $${DB:-relance_demo}

bench:          ## nightly-run benchmark (prints a table, writes bench/results/)
	SETUP_BROWSER=0 bash tools/setup.sh && .venv/bin/python bench/run_bench.py

lint:
	.venv/bin/ruff check account_relance_fr tests tools

clean: reset
	rm -rf .venv var
