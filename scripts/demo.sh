#!/usr/bin/env bash
# The main job on the embedded default: an end-to-end run of the bbmesh CLI on the SQLite index.
# It imports the fixture .torrent files (v1, v2, hybrid, a non-UTF-8 name), searches them the way
# people type, shows one, exports the index as NDJSON and re-imports it into a second index.
set -euo pipefail
cd "$(dirname "$0")/.."
bbmesh() { node packages/cli/dist/bin.js "$@"; }
home=$(mktemp -d "${TMPDIR:-/tmp}/bbmesh-demo-XXXXXX")
trap 'rm -rf "$home"' EXIT
export BBMESH_HOME="$home"

step() { printf '\n\033[1m$ bbmesh %s\033[0m\n' "$*"; }
step import fixtures/torrents
bbmesh import fixtures/torrents
step search ubuntu 24.04
bbmesh search ubuntu 24.04
step search bunny --ext srt --files
bbmesh search bunny --ext srt --files
step search 'open data' --json
bbmesh --json search open data
ih=$(bbmesh --json search ubuntu 24.04 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).hits[0].infohashV1))')
step show "$ih"
bbmesh show "$ih"
step export --ndjson --out "$home/library.ndjson.gz"
bbmesh export --ndjson --out "$home/library.ndjson.gz"
step --db "$home/copy.db" import "$home/library.ndjson.gz"
bbmesh --db "$home/copy.db" import "$home/library.ndjson.gz"
step stats
bbmesh stats
printf '\ndemo: ok\n'
