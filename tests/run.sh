#!/usr/bin/env bash
# The test command of 展厅 showcase:  bash tests/run.sh [pytest arguments]
#
# Installs whatever the tests need that is missing, then runs the whole suite:
#   - Python: the package and its test extras (python -m pip install -e '.[test]')
#   - npm:    the pinned vnu-jar and axe-core (npm ci --prefix tests)
#   - Debian: chromium and fonts-noto-cjk (apt-get, as root), a Java runtime
# Each step is skipped when what it installs is already there, so a second run starts at once.
# Playwright's own browser downloads are never used: the tests drive /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive

say() { printf '[tests/run.sh] %s\n' "$*"; }

PYTHON=${PYTHON:-python}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

is_root() { [ "$(id -u)" = 0 ]; }

APT_UPDATED=0
apt_install() {
    if ! is_root; then
        say "NOT INSTALLED: $* (needs root). Install with: sudo apt-get update && sudo apt-get install -y $*"
        return 1
    fi
    if [ "$APT_UPDATED" = 0 ]; then
        apt-get update -q
        APT_UPDATED=1
    fi
    apt-get install -y -q "$@"
}

# --- Debian packages: the browser and CJK fonts --------------------------------------------
apt_wanted=()
[ -x /usr/bin/chromium ] || apt_wanted+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || apt_wanted+=(fonts-noto-cjk)
if [ "${#apt_wanted[@]}" -gt 0 ]; then
    say "installing ${apt_wanted[*]}"
    apt_install "${apt_wanted[@]}" || say "the browser tests will fail until /usr/bin/chromium is installed."
fi

# --- Java for the Nu Html Checker ------------------------------------------------------------
if ! java -version >/dev/null 2>&1; then
    say "java is missing: installing default-jre-headless"
    apt_install default-jre-headless || say "the HTML validity test will fail until java is installed."
fi
if java -version >/dev/null 2>&1; then
    say "java: $(java -version 2>&1 | head -n 1)"
else
    say "WARNING: 'java -version' does not work; the HTML validity test will fail."
fi

# --- Python package and test extras ----------------------------------------------------------
python_ready() {
    "$PYTHON" - <<'PY'
import importlib.metadata as md, json, os, pathlib, re, sys
sys.path = [p for p in sys.path if p and os.path.abspath(p) != os.getcwd()]  # not ./showcase.egg-info
try:
    import tomllib
except ImportError:
    sys.exit(1)
project = tomllib.loads(pathlib.Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
for req in project["dependencies"] + project.get("optional-dependencies", {}).get("test", []):
    m = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;,]+)\s*", req)
    if not m:
        sys.exit(1)  # not an exact pin: let pip decide
    try:
        if md.version(m.group(1)) != m.group(2):
            sys.exit(1)
    except md.PackageNotFoundError:
        sys.exit(1)
# this checkout itself, installed in editable mode at the current version
try:
    dist = md.distribution(project["name"])
except md.PackageNotFoundError:
    sys.exit(1)
direct = json.loads(dist.read_text("direct_url.json") or "{}")
editable = direct.get("dir_info", {}).get("editable", False)
same = direct.get("url", "").rstrip("/") == pathlib.Path.cwd().resolve().as_uri()
sys.exit(0 if editable and same and dist.version == project["version"] else 1)
PY
}
if python_ready; then
    say "python packages: up to date ($("$PYTHON" --version 2>&1))"
else
    say "installing the python package with its test extras"
    "$PYTHON" -m pip install -q --root-user-action=ignore -e '.[test]'
fi

# --- npm tools: vnu-jar and axe-core, as pinned in tests/package-lock.json -------------------
if ! command -v npm >/dev/null 2>&1; then
    say "npm is missing: installing nodejs and npm"
    apt_install nodejs npm || say "the HTML and accessibility tests will fail until npm ci --prefix tests has run."
fi
npm_ready() {
    "$PYTHON" - <<'PY'
import json, pathlib, sys
tests = pathlib.Path("tests")
lock = json.loads((tests / "package-lock.json").read_text(encoding="utf-8"))
for where, info in lock.get("packages", {}).items():
    if not where:
        continue
    installed = tests / where / "package.json"
    if not installed.is_file() or json.loads(installed.read_text(encoding="utf-8")).get("version") != info.get("version"):
        sys.exit(1)
sys.exit(0)
PY
}
if npm_ready; then
    say "npm tools: up to date"
elif command -v npm >/dev/null 2>&1; then
    say "installing the npm tools (npm ci --prefix tests)"
    # --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime.
    npm ci --prefix tests --ignore-scripts --no-audit --no-fund
fi

# --- the suite ---------------------------------------------------------------------------------
exec "$PYTHON" -m pytest -q "$@"
