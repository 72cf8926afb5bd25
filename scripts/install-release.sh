#!/usr/bin/env bash
# Installs keyward from packed tarballs (scripts/pack-packages.mjs) into a folder of its own,
# with its production dependencies from the npm registry:
#
#   scripts/install-release.sh <tarball-dir> <install-dir>
#
# Afterwards <install-dir>/node_modules/.bin/keyward is the command. The container image's
# install stage runs exactly this (Dockerfile), and the release smoke test runs it in CI
# (scripts/release-smoke.sh), so CI proves the image's install step.
#
# A folder install rather than `npm install -g`: until the packages are on the registry, a
# global install would fetch each package's @keyward/* dependencies from the registry
# instead of the sibling tarballs. After a release, `npm install -g @keyward/server` is the same.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <tarball-dir> <install-dir>" >&2
  exit 2
fi
tarballs=$(cd "$1" && pwd)
mkdir -p "$2"
cd "$2"

shopt -s nullglob
packages=("$tarballs"/*.tgz)
if [ ${#packages[@]} -eq 0 ]; then
  echo "no tarballs in $tarballs" >&2
  exit 1
fi

[ -f package.json ] || printf '{ "name": "keyward-install", "private": true }\n' >package.json
npm install --omit=dev --no-audit --no-fund "${packages[@]}"
test -x node_modules/.bin/keyward
