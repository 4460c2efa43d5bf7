#!/usr/bin/env bash
# The main job on the embedded default: a loopback testnet (bbmesh and stock bittorrent-dht nodes,
# seeds announcing generated v1/v2/hybrid torrents) harvested into the SQLite index by a bbmesh
# harvester (BEP-5 observation, BEP-51 sampling, BEP-9 fetch), then searched. Then a tour of the
# index: import the fixture .torrent files, search, show, export as NDJSON and re-import.
# Everything binds 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bbmesh() { node packages/cli/dist/bin.js "$@"; }
home=$(mktemp -d "${TMPDIR:-/tmp}/bbmesh-demo-XXXXXX")
trap 'rm -rf "$home"' EXIT
export BBMESH_HOME="$home"

step() { printf '\n\033[1m$ bbmesh %s\033[0m\n' "$*"; }
step testnet --index-dir "$home/testnet"
bbmesh testnet --index-dir "$home/testnet"
step --db "$home/testnet/h0.db" stats
bbmesh --db "$home/testnet/h0.db" stats
step --db "$home/testnet/h0.db" search quartz --limit 5
bbmesh --db "$home/testnet/h0.db" search quartz --limit 5
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
