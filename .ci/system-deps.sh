#!/usr/bin/env bash
# Debian packages the tests use: headless Chromium for the page and sidebar tests, Node.js and npm for the
# add-on's tests and type-check, LibreOffice Calc and poppler's pdfinfo/pdftotext/pdftoppm for the print test
# (PostgreSQL comes with .ci/postgres.sh).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
chromium --version
echo "node $(node --version), npm $(npm --version)"
soffice --version
pdfinfo -v 2>&1 | sed -n 1p  # sed reads to the end: head would leave pdfinfo a SIGPIPE (exit 141 under pipefail)
