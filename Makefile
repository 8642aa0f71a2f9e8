# The association's site: `make serve` to see it, `make test` to check it. `make help` lists the rest.
PY ?= python3
PORT ?= 8000
VENV ?= .venv
OUTPUTDIR ?= output
# make publish alone writes here; make deploy puts it online.
PUBLICDIR ?= public
CONFFILE ?= pelicanconf.py
CONTENTDIR ?= content
PUBLISHCONF ?= publishconf.py
POLL_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/polls.sqlite3
PYTEST_ARGS ?=
PELICANOPTS ?=

BIN := $(VENV)/bin
# Re-installed whenever pyproject.toml changes, so a `git pull` never leaves a stale environment.
STAMP := $(VENV)/.installed
PELICAN := $(BIN)/pelican
FLASK := POLL_ENV=development POLL_DATABASE_URL=$(POLL_DATABASE_URL) $(BIN)/flask --app poll_service

# The writers' commands say what happened, in French; make adds nothing of its own:
# - QUIETLY: on Ctrl-C the recipe's shell ends normally once the program has stopped, so make
#   does not add "Interrupt";
# - OR_STOP_QUIETLY: on failure make is ended by SIGPIPE, the one signal shells do not report,
#   instead of printing "make: *** [Makefile:NN: check] Error 1" (the exit status is still not 0).
QUIETLY = trap 'exit 0' INT;
OR_STOP_QUIETLY = || kill -PIPE $$PPID

.DEFAULT_GOAL := help
.PHONY: help install serve html publish deploy rollback test bench clean devserver new-article check translations reset-votes

help: ## Lister les commandes
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "Installation du projet dans $(VENV) (une ou deux minutes la première fois)…"
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@# Setuptools' note on editable installs is no mistake of ours: the only warning silenced.
	@PYTHONWARNINGS='ignore:Editable installation' $(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP) ## Créer .venv et y installer le projet

html: $(STAMP) ## Construire le site dans output/ (brouillons compris)
	$(PELICAN) $(CONTENTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) --fatal errors $(PELICANOPTS)

publish: $(STAMP) ## Construire le site de production dans public/ (sans brouillons ; PUBLICDIR=… pour changer)
	@$(QUIETLY) PYTHONPATH=plugins $(BIN)/python -m tools.publish -s $(PUBLISHCONF) --content $(CONTENTDIR) -o $(PUBLICDIR) $(OR_STOP_QUIETLY)

# DEPLOY_TARGET (and DEPLOY_SSH_OPTS, DEPLOY_FLASK…) come from make's command line, the
# environment, or deploy.env: tools/deploy reads them, so they are set in one place.
deploy: $(STAMP) ## Mettre en ligne le site de production (DEPLOY_TARGET=dossier ou utilisateur@serveur:/chemin, ou deploy.env)
	@$(QUIETLY) $(BIN)/python -m tools.deploy deploy --public $(PUBLICDIR) $(OR_STOP_QUIETLY)

rollback: $(STAMP) ## Remettre en ligne la version précédente du site (même destination que make deploy)
	@$(QUIETLY) $(BIN)/python -m tools.deploy rollback $(OR_STOP_QUIETLY)

# The preview a person opens with make serve has the search index too (not make html's, which
# leaves it to make publish: see SEARCH_INDEX in pelicanconf.py).
serve: override PELICANOPTS += -e SEARCH_INDEX=true
serve: html ## Construire, puis servir le site et les sondages sur http://127.0.0.1:8000 (PORT=… pour changer)
	mkdir -p instance
	$(FLASK) init-db
	$(FLASK) sync-polls $(OUTPUTDIR)/polls.json
	@echo "Le site et les sondages : http://127.0.0.1:$(PORT)/  (Ctrl-C pour arrêter)"
	POLL_SITE_DIR=$(abspath $(OUTPUTDIR)) $(FLASK) run --host 127.0.0.1 --port $(PORT) --no-reload

check: $(STAMP) ## Vérifier tout le contenu (erreurs et conseils, en français), sans construire le site
	@$(QUIETLY) PYTHONPATH=plugins $(BIN)/python -m checks $(CONTENTDIR) -s $(CONFFILE) $(OR_STOP_QUIETLY)

new-article: $(STAMP) ## Créer un brouillon : make new-article TITLE="Le titre de l'article"
	@$(QUIETLY) PYTHONPATH=plugins $(BIN)/python -m tools.new_article --content $(CONTENTDIR) $(OR_STOP_QUIETLY)

# `make new-article TITLE=La fête`, without quotes, hands make the goal "fête": when new-article
# comes first, the goals after it are the rest of the title (TITLE_REST) and do nothing as goals
# (the rule below); one that names a command of this Makefile is refused by new-article itself
# (TITLE_CLASH), before make would run it.
ifeq (new-article,$(firstword $(MAKECMDGOALS)))
export TITLE_REST := $(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))
export TITLE_CLASH := $(filter $(shell sed -n 's/^\([a-z][a-z-]*\):.*/\1/p' $(firstword $(MAKEFILE_LIST))),$(TITLE_REST))
%::
	@:
endif

devserver: $(STAMP) ## Aperçu pendant l'écriture : site et sondages, mis à jour à chaque enregistrement
	@$(QUIETLY) POLL_DATABASE_URL=$(POLL_DATABASE_URL) PYTHONPATH=plugins $(BIN)/python -m tools.devserver --port $(PORT) -s $(CONFFILE) -o $(OUTPUTDIR) --content $(CONTENTDIR) $(OR_STOP_QUIETLY)

# POLL_ENV is the caller's when set: a server says production, refused here before the service
# (which would first ask for its production settings) starts; the command itself refuses too.
reset-votes: $(STAMP) ## Effacer les votes de l'aperçu (instance/polls.sqlite3, jamais la production) ; YES=1 sans question
	@$(QUIETLY) if [ "$${POLL_ENV:-development}" != development ]; then \
	  echo "make reset-votes n'efface que les votes de l'aperçu : ce service tourne avec POLL_ENV=$$POLL_ENV (production). Rien n'a été effacé." >&2; false; \
	else POLL_ENV=development POLL_DATABASE_URL=$(POLL_DATABASE_URL) $(BIN)/flask --app poll_service reset-votes $(if $(YES),--yes); fi $(OR_STOP_QUIETLY)

test: $(STAMP) ## Lancer toute la suite de tests (installe d'abord les paquets système qui manquent)
	@.ci/system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP) ## Mesurer les performances face à Pelican et Flask nus
	$(BIN)/python -m bench

translations: $(STAMP) ## Mettre à jour les traductions (fr, en) après un changement de gabarit
	mkdir -p theme/translations
	$(BIN)/pybabel extract -F theme/babel.cfg -o theme/translations/messages.pot --project Tisser --sort-output --no-location --omit-header .
	for lang in fr en; do \
	  test -f theme/translations/$$lang/LC_MESSAGES/messages.po \
	    || $(BIN)/pybabel init -i theme/translations/messages.pot -d theme/translations -l $$lang; \
	  $(BIN)/pybabel update -i theme/translations/messages.pot -d theme/translations -l $$lang --no-fuzzy-matching; \
	done

clean: ## Effacer l'aperçu output/ et les caches (jamais public/ ni les votes d'instance/)
	rm -rf $(OUTPUTDIR) cache __pycache__ .pytest_cache
