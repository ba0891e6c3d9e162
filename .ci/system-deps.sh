#!/usr/bin/env bash
# Debian packages the tests use: headless Chromium for the page test (PostgreSQL comes with .ci/postgres.sh).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version
