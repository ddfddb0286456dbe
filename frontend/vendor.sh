#!/usr/bin/env bash
# Copy the pinned front-end libraries from node_modules into static/vendor/ (committed; served by whitenoise).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
out=../static/vendor
mkdir -p "$out"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx.min.js"
cp node_modules/htmx-ext-ws/dist/ws.min.js "$out/htmx-ext-ws.min.js"
# The CSP build of Alpine evaluates no strings, so script-src 'self' (no 'unsafe-eval') is enough.
cp node_modules/@alpinejs/csp/dist/cdn.min.js "$out/alpine-csp.min.js"
{
  echo "Vendored from npm by frontend/vendor.sh — do not edit by hand."
  for p in htmx.org htmx-ext-ws @alpinejs/csp; do
    node -e "const p=require('./node_modules/$p/package.json');console.log(p.name+'@'+p.version+' '+(p.license||'license: see package README'))"
  done
} > "$out/VERSIONS.txt"
