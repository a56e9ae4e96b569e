#!/usr/bin/env bash
# `npm run demo`: the example app (examples/next-app) served on 127.0.0.1:3000,
# signing in through the local OpenID provider (packages/local-idp) on
# 127.0.0.1:4000, or through GitHub when AUTH_GITHUB_ID/AUTH_GITHUB_SECRET are
# set. Works from a fresh clone; Ctrl+C stops everything it started.
set -euo pipefail

# An assignment, so that a failure to find the repository stops the script
# (set -e) instead of running npm in whatever directory `cd` fell back to.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

app_dir=examples/next-app
env_file=$app_dir/.env.local
host=127.0.0.1
app_port=3000
idp_port=4000
app_origin=http://$host:$app_port
idp_origin=http://$host:$idp_port
# Must match the defaults in examples/next-app/auth.ts.
demo_client_id=latch-demo
default_local_secret=latch-demo-secret

export NEXT_TELEMETRY_DISABLED=1

# Prints a variable from the environment, else from .env.local: Next reads
# both, so the script must decide with what the app will see.
env_value() {
  local name=$1
  if [ -n "${!name:-}" ]; then
    printf '%s' "${!name}"
  elif [ -f "$env_file" ]; then
    sed -n "s/^${name}=//p" "$env_file" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
  fi
}

if [ ! -d node_modules ]; then
  echo "demo: installing dependencies (npm install)"
  npm install
fi

echo "demo: building latch"
npm run build -w latch

if ! grep -qs '^AUTH_SECRET=.' "$env_file"; then
  secret=$(openssl rand -base64 33 2>/dev/null || node -e 'process.stdout.write(require("node:crypto").randomBytes(33).toString("base64"))')
  # Keep an existing last line intact when the file does not end in a newline.
  if [ -s "$env_file" ] && [ -n "$(tail -c 1 "$env_file")" ]; then echo >> "$env_file"; fi
  printf 'AUTH_SECRET=%s\n' "$secret" >> "$env_file"
  chmod 600 "$env_file"
  echo "demo: wrote a new AUTH_SECRET to $env_file"
fi

pids=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The servers run as plain `node` processes (no npx/tsx wrapper in between),
# so the pid the trap kills is the server itself.
if [ -n "$(env_value AUTH_GITHUB_ID)" ]; then
  if [ -z "$(env_value AUTH_GITHUB_SECRET)" ]; then
    echo "demo: AUTH_GITHUB_ID is set but AUTH_GITHUB_SECRET is not; set both, or neither to use the local IdP." >&2
    exit 1
  fi
  echo "demo: AUTH_GITHUB_ID is set: signing in with GitHub (callback $app_origin/api/auth/callback/github)"
else
  local_secret=$(env_value AUTH_LOCAL_SECRET)
  local_secret=${local_secret:-$default_local_secret}
  echo "demo: starting the local IdP on $idp_origin"
  node --import tsx packages/local-idp/src/cli.ts \
    --port "$idp_port" \
    --client-id "$demo_client_id" \
    --client-secret "$local_secret" \
    --redirect-uri "$app_origin/api/auth/callback/local" > /dev/null &
  idp_pid=$!
  pids+=("$idp_pid")
  node scripts/wait-for-url.mjs "$idp_origin/.well-known/openid-configuration" --timeout 30 --pid "$idp_pid"
  # The environment wins over .env.local in Next, so the app talks to this IdP.
  export AUTH_LOCAL_ISSUER=$idp_origin AUTH_LOCAL_SECRET=$local_secret
fi

# latch derives every URL from AUTH_URL, never from the request's Host.
export AUTH_URL=$app_origin
next_bin=$(cd "$app_dir" && node -p 'require.resolve("next/dist/bin/next")')

echo "demo: building the example app (next build)"
(cd "$app_dir" && node "$next_bin" build)

(cd "$app_dir" && exec node "$next_bin" start -H "$host" -p "$app_port") &
app_pid=$!
pids+=("$app_pid")
node scripts/wait-for-url.mjs "$app_origin/" --timeout 60 --pid "$app_pid"

echo
echo "Open $app_origin"
echo "(Ctrl+C stops the app$([ -n "${idp_pid:-}" ] && echo " and the local IdP"))"
# Stay up until either server stops or Ctrl+C; the EXIT trap stops the rest.
wait -n
