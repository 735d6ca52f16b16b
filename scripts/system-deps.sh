#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when run as root on Debian.
# Packages already present are skipped, so this is cheap on a prepared machine.
set -euo pipefail
PKGS=(
    # report (tanzuji.report): CJK fonts, fast font subsetting for WeasyPrint, pdftotext/pdftoppm
    fonts-noto-cjk libharfbuzz-subset0 poppler-utils
    # report signing on a hardware token: SoftHSM2 stands in for the token in the PKCS#11 tests
    softhsm2
    # WeasyPrint needs Pango (text layout) at run time
    libpango-1.0-0 libpangoft2-1.0-0
    # web (tanzuji.web): browser tests drive Debian's headless chromium through Playwright
    chromium
    # store (tanzuji.store): PostgreSQL server for the PostgreSQL half of the store tests
    # (scripts/with-postgres.sh starts a throwaway cluster when none is reachable)
    postgresql libpq5
)
missing=()
for p in "${PKGS[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "system-deps: missing ${missing[*]} (not root or not Debian: install them yourself; dependent tests will skip)" >&2
    exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
