# Shared install steps of scripts/test and scripts/demo (sourced, not run).

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's Chromium drives the browser tests (never `playwright install`).
setup_chromium() {
    if [ ! -x /usr/bin/chromium ]; then
        echo "== installing Debian's chromium (browser tests)"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
    fi
}

# A project venv with h5lens installed editable; the build hook bundles js/ with esbuild and builds the
# JupyterLab extension, which the editable install copies into .venv/share/jupyter/labextensions/h5lens
# (reinstalled when labextension/ changes, so `jupyter lab` from .venv loads the current one).
setup_venv() {
    local py="${PYTHON:-python3}"
    [ -x .venv/bin/python ] || "$py" -m venv .venv
    if [ ! -f .venv/.h5lens-installed ] || [ pyproject.toml -nt .venv/.h5lens-installed ] \
        || [ js/package-lock.json -nt .venv/.h5lens-installed ] \
        || [ -n "$(find labextension -path labextension/node_modules -prune -o -path labextension/build -prune \
                -o -type f -newer .venv/.h5lens-installed -print 2>/dev/null | head -1)" ]; then
        echo "== installing h5lens and its test dependencies into .venv"
        .venv/bin/python -m pip install -q --upgrade pip
        .venv/bin/python -m pip install -q -e ".[test]"
        touch .venv/.h5lens-installed
    fi
    # The bundles are rebuilt when any front-end source is newer than them.
    .venv/bin/python hatch_build.py --if-stale
}
