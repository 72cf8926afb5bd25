# shellcheck shell=bash
# Puts a given Node.js version first on PATH in the current shell, from the npm registry's
# `node` package (a full Node.js build: bin/node and the headers), cached between runs.
# keyward supports Node.js 22 and 24; a machine whose own Node is older uses this.
#
#   source scripts/use-node.sh 22.23.3     # then, once per checkout: npm rebuild better-sqlite3
#
# .ci/run sources it. It also sets npm_config_nodedir to that version's headers, so that
# native modules (better-sqlite3) build against it without downloading anything.
# Cache: $KEYWARD_NODE_CACHE, default ~/.cache/keyward-ci/node.

# Prints the folder of Node.js $1 (bin/node, include/node), installing it on first use.
keyward_node_home() {
  local prefix="${KEYWARD_NODE_CACHE:-$HOME/.cache/keyward-ci/node}/$1" home
  home=$(find "$prefix/node_modules" -maxdepth 4 -type d -name 'node-linux-*' 2>/dev/null | head -1)
  if [ -z "$home" ] || [ ! -x "$home/bin/node" ]; then
    rm -rf "$prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --no-save "node@$1" >&2 || return 1
    home=$(find "$prefix/node_modules" -maxdepth 4 -type d -name 'node-linux-*' | head -1)
  fi
  echo "$home"
}

# Puts Node.js $1 first on PATH (and its headers in npm_config_nodedir) in this shell.
use_node() {
  local home
  home=$(keyward_node_home "$1") || return 1
  export PATH="$home/bin:$PATH" npm_config_nodedir="$home"
  if [ "$(node --version)" != "v$1" ]; then
    echo "could not put Node.js $1 on PATH" >&2
    return 1
  fi
  echo "node $(node --version), npm $(npm --version)"
}

if [ -n "${1:-}" ]; then use_node "$1"; fi
