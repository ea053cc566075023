#!/usr/bin/env bash
# Try an export as a new user would, against a running `slipway up`: create the app, import the zip
# (inline up to 4 MiB, else a presigned upload), deploy production with no settings, wait, then fetch
# the site through the edge and every root-relative asset its index.html references.
#   tools/exports/try-export.sh <export.zip> <app-id> [data-dir]      (data dir default: .slipway)
# Writes import.json, status.json, build.log and index.html to /tmp/try-export/<app-id>/ and prints one
# summary line per step. Used for docs/real-exports.md.
set -uo pipefail
zip=$1; app=$2; data=${3:-.slipway}
rt=$data/runtime.json
[[ -f $rt ]] || { echo "no $rt: is slipway up running with --data $data?" >&2; exit 2; }
API=$(jq -r .apiUrl "$rt"); TOK=$(jq -r .adminToken "$rt"); EDGE=$(jq -r .edgePort "$rt")
auth=(-H "Authorization: Bearer $TOK")
out=/tmp/try-export/$app; mkdir -p "$out"
size=$(stat -c%s "$zip"); echo "zip: $size bytes"
t0=$(date +%s)
curl -s "${auth[@]}" -H 'content-type: application/json' -d "{\"name\":\"$app\"}" "$API/apps" > "$out/app.json"
if (( size <= 4000000 )); then
  curl -s "${auth[@]}" -H 'content-type: application/zip' -H "x-slipway-filename: $app.zip" --data-binary @"$zip" \
       "$API/apps/$app/imports" > "$out/import.json"
else
  up=$(curl -s "${auth[@]}" -H 'content-type: application/json' -d "{\"size\":$size,\"name\":\"$app.zip\"}" "$API/apps/$app/uploads")
  if [[ $(jq -r '.uploadId // empty' <<<"$up") == "" ]]; then echo "upload refused: $up"; exit 1; fi
  curl -s -X PUT -H 'content-type: application/zip' --data-binary @"$zip" "$(jq -r .url <<<"$up")" > /dev/null
  curl -s "${auth[@]}" -H 'content-type: application/json' -d "{\"uploadId\":\"$(jq -r .uploadId <<<"$up")\"}" \
       "$API/apps/$app/imports" > "$out/import.json"
fi
echo "import: $(jq -c '{framework, build, findings: [.findings[]?.rule], type, detail}' "$out/import.json")"
[[ $(jq -r '.commit // empty' "$out/import.json") != "" ]] || exit 1
t1=$(date +%s)
dep=$(curl -s "${auth[@]}" -H 'content-type: application/json' -d '{}' "$API/apps/$app/deployments" | jq -r .deploymentId)
while :; do
  curl -s "${auth[@]}" "$API/apps/$app/deployments/$dep" > "$out/status.json"
  st=$(jq -r .status "$out/status.json")
  [[ $st == RUNNING || $st == PENDING ]] || break
  sleep 5
done
t2=$(date +%s)
curl -s "${auth[@]}" "$API/apps/$app/deployments/$dep/logs" > "$out/build.log"
echo "deploy: $st (import $((t1 - t0))s, deploy $((t2 - t1))s)"
jq -r '.failure // empty' "$out/status.json" | head -3
if [[ $st == SUCCEEDED ]]; then
  get() { curl -s -o "${2:-/dev/null}" -w '%{http_code}' --resolve "$app.localhost:$EDGE:127.0.0.1" "http://$app.localhost:$EDGE$1"; }
  echo "site: GET / → $(get / "$out/index.html")"
  grep -aoE '(src|href)="/[^"]+"' "$out/index.html" | sed -E 's/^(src|href)="//; s/"$//' | sort -u | while read -r p; do
    echo "  $p → $(get "$p")"
  done
fi
