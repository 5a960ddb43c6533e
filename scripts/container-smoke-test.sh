#!/usr/bin/env bash
# Container smoke test: builds the three production images for real (Podman, from the
# Dockerfile), runs them against this machine's PostgreSQL, applies migrations from the image,
# drives the whole flow through the containers (bootstrap token → set-up through the API → a
# token from self-managed verified against SaaS's JWKS → a completion from the AI gateway's
# container with that token, against the model stand-in → a completion through self-managed,
# its instance token from SaaS → the health check, test completion included), stops a container while a request
# is under way, writes a .env with scripts/generate-env.mjs, validates docker-compose.yml
# with it and brings the compose stack up and down. Cleans up everything it created; only the
# stand-in base images stay cached in $CONTAINER_SMOKE_CACHE.
#
# Needs: root (apt-get, debootstrap), PostgreSQL on 127.0.0.1:5432 with trust auth, Node and
# `pnpm install` done (tsx and jose verify the token; tsx runs the model stand-in). See
# docs/deployment.md.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HERE="$ROOT/scripts/container-smoke"
# shellcheck source=scripts/container-smoke/podman-env.sh
source "$HERE/podman-env.sh"
# shellcheck source=scripts/container-smoke/stand-in-images.sh
source "$HERE/stand-in-images.sh"

RUN="tbsmoke$$"
SAAS_IMAGE="localhost/token-broker-saas:latest"
SELF_MANAGED_IMAGE="localhost/token-broker-self-managed:latest"
GATEWAY_IMAGE="localhost/token-broker-ai-gateway:latest"
POSTGRES_IMAGE="docker.io/library/$(awk '$1 == "image:" && $2 ~ /^postgres:/ {print $2; exit}' "$ROOT/docker-compose.yml")"
REDIS_IMAGE="docker.io/library/$(awk '$1 == "image:" && $2 ~ /^redis:/ {print $2; exit}' "$ROOT/docker-compose.yml")"
MAX_OWN_LAYERS_MB=150
PG_ADMIN_URL="postgres://postgres@127.0.0.1:5432"
TSX="$ROOT/node_modules/.bin/tsx"

# ---------------------------------------------------------------------------- reporting --
STEP_NAMES=()
STEP_SECONDS=()
STEP_NAME=""
STEP_STARTED=0
SUMMARY=()
SCRIPT_STARTED=$SECONDS

end_step() {
  if [ -n "$STEP_NAME" ]; then
    STEP_NAMES+=("$STEP_NAME")
    STEP_SECONDS+=("$((SECONDS - STEP_STARTED))")
    printf -- '-- %s: %d s\n' "$STEP_NAME" "$((SECONDS - STEP_STARTED))"
  fi
  STEP_NAME=""
}
step() {
  end_step
  STEP_NAME="$*"
  STEP_STARTED=$SECONDS
  printf '\n== %s\n' "$*"
}
fail() {
  echo "FAILED: $*" >&2
  exit 1
}
print_summary() {
  end_step
  printf '\n== summary\n'
  local i
  for i in "${!STEP_NAMES[@]}"; do
    printf '  %4d s  %s\n' "${STEP_SECONDS[$i]}" "${STEP_NAMES[$i]}"
  done
  printf '  %4d s  in all\n' "$((SECONDS - SCRIPT_STARTED))"
  for line in "${SUMMARY[@]}"; do printf '  %s\n' "$line"; done
}

# Podman without systemd cannot schedule health checks; it says so on every run. The smoke
# test runs them itself (podman healthcheck run), so that message is only noise.
podman() {
  command podman "$@" 2> >(grep -v 'systemd connection' >&2)
}

random_hex() { node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('hex'))"; }
free_port() {
  node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}
# Reads one field of a JSON object on stdin.
json_field() {
  node -e "let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => {
    const v = JSON.parse(s)[process.argv[1]];
    if (v === undefined || v === null) { console.error('no ' + process.argv[1] + ' in ' + s); process.exit(1); }
    console.log(v);
  })" "$1"
}
mb() { awk -v bytes="$1" 'BEGIN { printf "%.1f", bytes / 1000000 }'; }

# The readiness path: GitLab's on the instances; the AI gateway's is READY_PATH=/monitoring/ready.
wait_ready() { # url seconds container...
  local url="$1" seconds="$2" path="${READY_PATH:-/-/readiness}"
  shift 2
  local deadline=$((SECONDS + seconds))
  until curl -fsS -m 2 "$url$path" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      for container in "$@"; do
        echo "--- logs of $container" >&2
        podman logs --tail 40 "$container" >&2 || true
      done
      fail "$url$path did not answer 200 within $seconds s"
    fi
    sleep 0.5
  done
  echo "$url$path: 200"
}
# One variable of a .env file, as docker compose reads it.
env_value() { # file name
  node -e "const v = require('node:util').parseEnv(require('node:fs').readFileSync(process.argv[1], 'utf8'))[process.argv[2]];
    if (!v) { console.error('no ' + process.argv[2] + ' in ' + process.argv[1]); process.exit(1); }
    process.stdout.write(v)" "$1" "$2"
}

# ------------------------------------------------------------------------------ cleanup --
CREATED_DATABASES=()
SLOW_SAAS_PID=""
MODEL_SERVER_PID=""
COMPOSE_PROJECT=""
WORK_DIR=""

cleanup() {
  local status=$?
  set +e
  end_step
  printf '\n== clean-up\n'
  [ -n "$SLOW_SAAS_PID" ] && kill "$SLOW_SAAS_PID" 2>/dev/null
  [ -n "$MODEL_SERVER_PID" ] && kill "$MODEL_SERVER_PID" 2>/dev/null
  local containers
  containers="$(command podman ps -a -q --filter "label=token-broker-smoke=$RUN" 2>/dev/null)"
  if [ "$status" -ne 0 ] && [ -n "$containers" ]; then
    for container in $containers; do
      echo "--- last logs of $(command podman inspect --format '{{.Name}}' "$container")" >&2
      command podman logs --tail 30 "$container" >&2 2>&1
    done
  fi
  # shellcheck disable=SC2086 # one id a word
  [ -n "$containers" ] && command podman rm -f -t 0 $containers >/dev/null 2>&1
  if [ -n "$COMPOSE_PROJECT" ]; then
    (cd "$ROOT" && podman-compose -p "$COMPOSE_PROJECT" down -v >/dev/null 2>&1)
    command podman network rm -f "${COMPOSE_PROJECT}_default" >/dev/null 2>&1
    command podman volume rm -f "${COMPOSE_PROJECT}_saas-postgres" \
      "${COMPOSE_PROJECT}_self-managed-postgres" >/dev/null 2>&1
  fi
  command podman rmi -f "$SAAS_IMAGE" "$SELF_MANAGED_IMAGE" "$GATEWAY_IMAGE" >/dev/null 2>&1
  # The build stages' images; only the stand-in base images stay.
  command podman image prune -f >/dev/null 2>&1
  for database in "${CREATED_DATABASES[@]}"; do
    psql -q "$PG_ADMIN_URL/postgres" -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" 2>/dev/null
  done
  [ -n "$WORK_DIR" ] && rm -rf "$WORK_DIR"
  echo "removed this run's containers, images, networks, volumes and databases"
  echo "kept: $(command podman images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | sort -u | tr '\n' ' ')"
  print_summary
  if [ "$status" -eq 0 ]; then echo "container smoke test passed"; else echo "container smoke test FAILED" >&2; fi
  exit "$status"
}

# --------------------------------------------------------------------------------- flow --
# Sets the flow up through the administration API with the project's one GitLab API client,
# asks self-managed for a token and verifies it with SaaS's published keys, then gives it to
# the AI gateway, whose model server answers (answers) or is not set (unset) (flow.ts). Leaves
# the developer's token in DEVELOPER_TOKEN.
run_flow() { # saas_url self_managed_url saas_root self_managed_root saas_external_url gateway_url answers|unset
  DEVELOPER_TOKEN="$(SAAS_ROOT_TOKEN="$3" SELF_MANAGED_ROOT_TOKEN="$4" AI_GATEWAY_URL="$6" \
    GATEWAY_MODEL="$7" "$TSX" "$HERE/flow.ts" "$1" "$2" "$5")" || fail "the flow through $2 and $6"
}

# The model stand-in (packages/testing: the OpenAI-compatible wire format) on the host; the
# gateway's container (host network) reaches it on 127.0.0.1.
start_model_stand_in() { # port
  PORT="$1" MODEL_STANDIN_COMPLETION="return a + b" \
    "$TSX" "$ROOT/packages/testing/src/model-server/cli.ts" >"$WORK_DIR/model-stand-in.log" 2>&1 &
  MODEL_SERVER_PID=$!
  for _ in $(seq 1 150); do
    grep -q 'listening at' "$WORK_DIR/model-stand-in.log" && return
    kill -0 "$MODEL_SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK_DIR/model-stand-in.log" >&2
  fail "the model stand-in is not listening on port $1"
}

# ================================================================================= main ==
step "prerequisites"
[ "$(id -u)" = 0 ] || fail "run as root (apt-get, debootstrap, Podman storage)"
ensure_debian_packages
if ! pg_isready --host 127.0.0.1 --port 5432 --quiet; then
  pg_ctlcluster --skip-systemctl-redirect "$(basename "$(find /etc/postgresql -mindepth 1 -maxdepth 1 | head -n 1)")" main start || true
  for _ in $(seq 1 30); do pg_isready --host 127.0.0.1 --port 5432 --quiet && break; sleep 1; done
fi
pg_isready --host 127.0.0.1 --port 5432 --quiet || fail "PostgreSQL does not answer on 127.0.0.1:5432"
if [ ! -x "$TSX" ] || [ ! -d "$ROOT/node_modules/jose" ]; then fail "run pnpm install first (tsx and jose)"; fi
# podman-compose reads the repository's .env over any other value: it would not be this run's.
[ ! -e "$ROOT/.env" ] || fail "$ROOT/.env exists: podman-compose would use its values; move it aside"
mkdir -p "$SMOKE_CACHE_DIR"
exec 9>"$SMOKE_CACHE_DIR/lock"
flock -w 900 9 || fail "another container smoke test holds $SMOKE_CACHE_DIR/lock"
configure_podman
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
WORK_DIR="$(mktemp -d "$SMOKE_CACHE_DIR/tmp/$RUN.XXXXXX")"
podman --version
echo "Podman storage and settings: $SMOKE_CACHE_DIR"

step "stand-in base image (test scaffolding, never named in the Dockerfile)"
make_node_base_image

step "build the SaaS image"
podman build --pull=never --network host --format docker --target saas \
  -t "$SAAS_IMAGE" "$ROOT" >"$WORK_DIR/build-saas.log" 2>&1 ||
  { tail -n 60 "$WORK_DIR/build-saas.log" >&2; fail "the SaaS image did not build"; }
echo "built $SAAS_IMAGE"

step "build the self-managed image"
podman build --pull=never --network host --format docker --target self-managed \
  -t "$SELF_MANAGED_IMAGE" "$ROOT" >"$WORK_DIR/build-sm.log" 2>&1 ||
  { tail -n 60 "$WORK_DIR/build-sm.log" >&2; fail "the self-managed image did not build"; }
echo "built $SELF_MANAGED_IMAGE"

step "build the AI gateway image"
podman build --pull=never --network host --format docker --target ai-gateway \
  -t "$GATEWAY_IMAGE" "$ROOT" >"$WORK_DIR/build-gateway.log" 2>&1 ||
  { tail -n 60 "$WORK_DIR/build-gateway.log" >&2; fail "the AI gateway image did not build"; }
echo "built $GATEWAY_IMAGE"

step "inspect the images (size, user, contents)"
base_bytes="$(podman image inspect --format '{{.Size}}' "$NODE_BASE_IMAGE")"
for image in "$SAAS_IMAGE" "$SELF_MANAGED_IMAGE" "$GATEWAY_IMAGE"; do
  bytes="$(podman image inspect --format '{{.Size}}' "$image")"
  own=$((bytes - base_bytes))
  line="$image: $(mb "$bytes") MB = base $(mb "$base_bytes") MB + own layers $(mb "$own") MB"
  echo "$line"
  SUMMARY+=("$line")
  [ "$own" -lt $((MAX_OWN_LAYERS_MB * 1000000)) ] ||
    fail "$image adds $(mb "$own") MB of its own layers (limit $MAX_OWN_LAYERS_MB MB)"
  user="$(podman image inspect --format '{{.Config.User}}' "$image")"
  [ "$user" = node ] || fail "$image runs as '$user', not node"
  healthcheck="$(podman image inspect --format '{{.Config.Healthcheck.Test}}' "$image")"
  readiness=/-/readiness
  [ "$image" = "$GATEWAY_IMAGE" ] && readiness=/monitoring/ready
  case "$healthcheck" in *"$readiness"*) ;; *) fail "$image has no HEALTHCHECK on $readiness" ;; esac
  # No tests, source maps, secrets, history or development tooling in the image.
  unwanted="$(podman run --rm --pull=never --network none --entrypoint sh "$image" -c '
    find /app \( -name node_modules -prune \) -o \( -name "*.test.ts" -o -type d -name test \
      -o -name "*.map" -o -name ".env*" -o -name .git -o -name "*.tsbuildinfo" -o -name "*.ts" \) -print
    ls /app/node_modules/.pnpm | grep -E "^(prisma|typescript|vitest|@vitest|@biomejs|@prisma\+studio|esbuild|tsx)[+@]"
    command -v pnpm tsc || true')"
  if [ "$image" = "$GATEWAY_IMAGE" ]; then
    # No database: neither Prisma nor the schema and migrations.
    unwanted+="$(podman run --rm --pull=never --network none --entrypoint sh "$image" -c '
      ls -d /app/prisma 2>/dev/null; ls /app/node_modules/.pnpm | grep -E "^@prisma\+|^@electric-sql\+"' || true)"
  fi
  [ -z "$unwanted" ] || fail "$image contains what it should not:"$'\n'"$unwanted"
  echo "$image: user node, HEALTHCHECK $healthcheck, no sources, tests, maps, secrets or dev tooling"
done

step "PostgreSQL databases for the containers"
SAAS_DB="${RUN}_saas"
SM_DB="${RUN}_self_managed"
for database in "$SAAS_DB" "$SM_DB"; do
  psql -q "$PG_ADMIN_URL/postgres" -c "CREATE DATABASE \"$database\""
  CREATED_DATABASES+=("$database")
done
echo "created $SAAS_DB and $SM_DB on 127.0.0.1:5432"

step "migrations from the image (one-off job)"
podman run --rm --pull=never --network host --label "token-broker-smoke=$RUN" \
  -e "DATABASE_URL=$PG_ADMIN_URL/$SAAS_DB" "$SAAS_IMAGE" node apps/saas/dist/server.mjs --migrate-only
applied="$(psql -tA "$PG_ADMIN_URL/$SAAS_DB" -c \
  "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")"
expected="$(find "$ROOT/prisma/migrations" -mindepth 1 -maxdepth 1 -type d | wc -l)"
[ "$applied" = "$expected" ] || fail "$applied of $expected migrations recorded in $SAAS_DB"
echo "$applied migrations recorded in _prisma_migrations; self-managed migrates as it starts"

step "start the SaaS and self-managed containers"
SAAS_PORT="$(free_port)"
SM_PORT="$(free_port)"
SAAS_URL="http://127.0.0.1:$SAAS_PORT"
SM_URL="http://127.0.0.1:$SM_PORT"
# The AI gateway's container starts later; the instances know where it will be.
GATEWAY_PORT="$(free_port)"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT"
SAAS_ROOT="glpat-$(random_hex 10)"
SM_ROOT="glpat-$(random_hex 10)"
SM_KEY_BASE="$(random_hex 32)"
SAAS_CONTAINER="$RUN-saas"
SM_CONTAINER="$RUN-self-managed"
podman run -d --pull=never --network host --label "token-broker-smoke=$RUN" --name "$SAAS_CONTAINER" \
  -e "PORT=$SAAS_PORT" -e "DATABASE_URL=$PG_ADMIN_URL/$SAAS_DB" -e "DB_KEY_BASE=$(random_hex 32)" \
  -e "INITIAL_ROOT_TOKEN=$SAAS_ROOT" -e "EXTERNAL_URL=$SAAS_URL" -e "AI_GATEWAY_URL=$GATEWAY_URL" \
  "$SAAS_IMAGE" >/dev/null
podman run -d --pull=never --network host --label "token-broker-smoke=$RUN" --name "$SM_CONTAINER" \
  -e "PORT=$SM_PORT" -e "DATABASE_URL=$PG_ADMIN_URL/$SM_DB" -e "DB_KEY_BASE=$SM_KEY_BASE" \
  -e "INITIAL_ROOT_TOKEN=$SM_ROOT" -e "EXTERNAL_URL=$SM_URL" -e "SAAS_URL=$SAAS_URL" \
  -e "AI_GATEWAY_URL=$GATEWAY_URL" "$SELF_MANAGED_IMAGE" >/dev/null
wait_ready "$SAAS_URL" 60 "$SAAS_CONTAINER"
wait_ready "$SM_URL" 60 "$SM_CONTAINER"
for container in "$SAAS_CONTAINER" "$SM_CONTAINER"; do
  podman healthcheck run "$container" >/dev/null || fail "$container: HEALTHCHECK is not healthy"
  process="$(podman top "$container" user pid args | awk 'NR == 2 {print $1, $2, $3, $4}')"
  case "$process" in "node 1 node apps/"*) ;; *) fail "$container runs '$process'" ;; esac
  echo "$container: healthy; PID 1 is '$process' (not root)"
done
discovery="$(curl -fsS "$SAAS_URL/.well-known/openid-configuration")"
jwks_uri="$(printf '%s' "$discovery" | json_field jwks_uri)"
jwks="$(curl -fsS "$jwks_uri")"
case "$jwks" in *'"kty":"RSA"'*) ;; *) fail "$jwks_uri serves no RSA key: $jwks" ;; esac
echo "SaaS publishes its keys at $jwks_uri"

step "start the model stand-in (on the host) and the AI gateway container"
MODEL_PORT="$(free_port)"
start_model_stand_in "$MODEL_PORT"
GATEWAY_CONTAINER="$RUN-ai-gateway"
# The signing key as an operator makes one (the image runs in production mode: required).
GATEWAY_SIGNING_KEY="$(node -e "process.stdout.write(require('node:crypto').generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }))")"
podman run -d --pull=never --network host --label "token-broker-smoke=$RUN" --name "$GATEWAY_CONTAINER" \
  -e "PORT=$GATEWAY_PORT" -e "AI_GATEWAY_TRUSTED_ISSUERS=$SAAS_URL" \
  -e "AI_GATEWAY_SIGNING_KEY=$GATEWAY_SIGNING_KEY" -e "MODEL_ENDPOINT=http://127.0.0.1:$MODEL_PORT" \
  -e "MODEL_NAME=smoke-test-model" -e "MODEL_PROMPT_FORMAT=codellama" "$GATEWAY_IMAGE" >/dev/null
READY_PATH=/monitoring/ready wait_ready "$GATEWAY_URL" 60 "$GATEWAY_CONTAINER"
podman healthcheck run "$GATEWAY_CONTAINER" >/dev/null || fail "$GATEWAY_CONTAINER: HEALTHCHECK is not healthy"
process="$(podman top "$GATEWAY_CONTAINER" user pid args | awk 'NR == 2 {print $1, $2, $3, $4}')"
case "$process" in "node 1 node apps/"*) ;; *) fail "$GATEWAY_CONTAINER runs '$process'" ;; esac
echo "$GATEWAY_CONTAINER: healthy; PID 1 is '$process' (not root); model stand-in on port $MODEL_PORT"

step "the flow through the containers"
run_flow "$SAAS_URL" "$SM_URL" "$SAAS_ROOT" "$SM_ROOT" "$SAAS_URL" "$GATEWAY_URL" answers
# The gateway's logs hold neither the code sent nor the completion (the privacy rule).
podman logs "$GATEWAY_CONTAINER" >"$WORK_DIR/gateway.log" 2>&1
if grep -qE 'def add|smoke\.py|return a \+ b' "$WORK_DIR/gateway.log"; then
  fail "the gateway logged the code it was sent or the completion"
fi
echo "$GATEWAY_CONTAINER: $(wc -l <"$WORK_DIR/gateway.log") log lines, none with the code or the completion"

step "the health check of the SaaS connection and the AI gateway, inside the self-managed container"
podman exec "$SM_CONTAINER" node apps/self-managed/dist/console.mjs health-check \
  >"$WORK_DIR/health-check.log" 2>&1 ||
  { cat "$WORK_DIR/health-check.log" >&2; fail "the health check inside $SM_CONTAINER failed"; }
cat "$WORK_DIR/health-check.log"
# A test completion from inside the container, with the instance token, to the gateway's.
grep -q '^ok  *code_completion: ' "$WORK_DIR/health-check.log" ||
  fail "the health check inside $SM_CONTAINER did not run code_completion"

step "docker stop during a request: the request finishes"
SLOW_PORT="$(free_port)"
SLOW_DELAY_MS=3000
"$TSX" "$HERE/slow-saas.ts" "$SLOW_PORT" "$SLOW_DELAY_MS" >"$WORK_DIR/slow-saas.log" 2>&1 &
SLOW_SAAS_PID=$!
# A second self-managed replica on the same database, whose SaaS answers slowly.
DRAIN_PORT="$(free_port)"
DRAIN_CONTAINER="$RUN-self-managed-draining"
podman run -d --pull=never --network host --label "token-broker-smoke=$RUN" --name "$DRAIN_CONTAINER" \
  -e "PORT=$DRAIN_PORT" -e "DATABASE_URL=$PG_ADMIN_URL/$SM_DB" -e "DB_KEY_BASE=$SM_KEY_BASE" \
  -e "INITIAL_ROOT_TOKEN=$SM_ROOT" -e "EXTERNAL_URL=$SM_URL" -e "SAAS_URL=http://127.0.0.1:$SLOW_PORT" -e "SAAS_TIMEOUT_MS=20000" \
  "$SELF_MANAGED_IMAGE" >/dev/null
wait_ready "http://127.0.0.1:$DRAIN_PORT" 60 "$DRAIN_CONTAINER"
grep -q "listening $SLOW_PORT" "$WORK_DIR/slow-saas.log" || fail "the slow SaaS is not listening"
curl -sS -m 30 -X POST -H "Authorization: Bearer $DEVELOPER_TOKEN" -o "$WORK_DIR/drain-body" \
  -w '%{http_code}' "http://127.0.0.1:$DRAIN_PORT/api/v4/code_suggestions/tokens" \
  >"$WORK_DIR/drain-code" 2>"$WORK_DIR/drain-curl.log" &
curl_pid=$!
for _ in $(seq 1 100); do grep -q '^received' "$WORK_DIR/slow-saas.log" && break; sleep 0.1; done
grep -q '^received' "$WORK_DIR/slow-saas.log" || fail "the request did not reach the slow SaaS"
stop_started=$SECONDS
podman stop -t 30 "$DRAIN_CONTAINER" >/dev/null
stop_seconds=$((SECONDS - stop_started))
wait "$curl_pid" || fail "the request in flight failed: $(cat "$WORK_DIR/drain-curl.log")"
if [ "$(cat "$WORK_DIR/drain-code")" != 201 ] || ! grep -q slow-saas-token "$WORK_DIR/drain-body"; then
  fail "the request in flight answered $(cat "$WORK_DIR/drain-code"): $(cat "$WORK_DIR/drain-body")"
fi
exit_code="$(podman inspect --format '{{.State.ExitCode}}' "$DRAIN_CONTAINER")"
[ "$exit_code" = 0 ] || fail "$DRAIN_CONTAINER exited with $exit_code after SIGTERM"
podman logs "$DRAIN_CONTAINER" >"$WORK_DIR/drain.log" 2>&1
grep -q 'finishing requests under way' "$WORK_DIR/drain.log" ||
  fail "$DRAIN_CONTAINER did not log its graceful stop"
echo "SIGTERM during a ${SLOW_DELAY_MS} ms upstream call: the request answered 201, the" \
  "container exited 0 after ${stop_seconds} s"

step "docker-compose.yml: a .env from the documented command, then validate"
# The operator's one command (into this run's directory), with every secret generated; only
# the published ports are this run's (free here), given as a shell's variables win.
COMPOSE_ENV="$WORK_DIR/compose.env"
node "$ROOT/scripts/generate-env.mjs" --output "$COMPOSE_ENV"
[ "$(stat -c %a "$COMPOSE_ENV")" = 600 ] || fail "$COMPOSE_ENV is not mode 0600"
COMPOSE_SAAS_PORT="$(free_port)"
COMPOSE_SM_PORT="$(free_port)"
COMPOSE_GATEWAY_PORT="$(free_port)"
export SAAS_PORT="$COMPOSE_SAAS_PORT" SELF_MANAGED_PORT="$COMPOSE_SM_PORT" AI_GATEWAY_PORT="$COMPOSE_GATEWAY_PORT"
export SELF_MANAGED_EXTERNAL_URL="http://localhost:$COMPOSE_SM_PORT"
(cd "$ROOT" && docker-compose --env-file "$COMPOSE_ENV" -f docker-compose.yml config -q) ||
  fail "docker-compose config with the generated .env"
echo "docker-compose config: valid with the generated .env (and this run's ports)"
# ($${…} is the container's own variable, not the compose file's.)
grep -oE '(^|[^$])\$\{[A-Z_]+' "$ROOT/docker-compose.yml" | sed 's/.*{//' | sort -u >"$WORK_DIR/compose-variables"
while read -r variable; do
  grep -qE "^$variable=" "$ROOT/.env.example" || fail ".env.example does not list $variable"
done <"$WORK_DIR/compose-variables"
echo ".env.example lists every variable docker-compose.yml reads"

step "docker-compose.yml: build and up with podman-compose (stand-in PostgreSQL and Redis images)"
make_postgres_image "$POSTGRES_IMAGE"
make_redis_image "$REDIS_IMAGE"
COMPOSE_PROJECT="$RUN"
compose() {
  local started=$SECONDS
  (cd "$ROOT" && node "$HERE/with-env-file.mjs" "$COMPOSE_ENV" podman-compose \
    --podman-build-args "--pull=never --network host --format docker" \
    -p "$COMPOSE_PROJECT" "$@") >>"$WORK_DIR/compose.log" 2>&1 ||
    { tail -n 40 "$WORK_DIR/compose.log" >&2; fail "podman-compose $*"; }
  echo "podman-compose $*: $((SECONDS - started)) s"
}
compose build
compose up -d
wait_ready "http://localhost:$COMPOSE_SAAS_PORT" 90 "${RUN}_saas_1" "${RUN}_saas-postgres_1"
wait_ready "http://localhost:$COMPOSE_SM_PORT" 90 "${RUN}_self-managed_1" "${RUN}_self-managed-postgres_1"
READY_PATH=/monitoring/ready wait_ready "http://localhost:$COMPOSE_GATEWAY_PORT" 90 \
  "${RUN}_ai-gateway_1" "${RUN}_ai-gateway-redis_1"

step "the flow through the compose stack"
# No model server in the generated .env: the gateway (which fetched SaaS's keys by its
# service name) accepts the token and answers 503 naming MODEL_ENDPOINT.
run_flow "http://localhost:$COMPOSE_SAAS_PORT" "http://localhost:$COMPOSE_SM_PORT" \
  "$(env_value "$COMPOSE_ENV" SAAS_INITIAL_ROOT_TOKEN)" \
  "$(env_value "$COMPOSE_ENV" SELF_MANAGED_INITIAL_ROOT_TOKEN)" \
  "$(env_value "$COMPOSE_ENV" SAAS_EXTERNAL_URL)" "http://localhost:$COMPOSE_GATEWAY_PORT" unset
# The gateway's rate-limit counters are in the stack's Redis, where its replicas share them.
counters="$(podman exec "${RUN}_ai-gateway-redis_1" redis-cli --scan | grep -c ai-gateway || true)"
[ "$counters" -gt 0 ] || fail "the gateway counted no request in ai-gateway-redis"
echo "ai-gateway-redis: $counters rate-limit counter(s) of the gateway"

step "docker-compose.yml: down"
compose down -v
command podman network rm -f "${COMPOSE_PROJECT}_default" >/dev/null 2>&1 || true
COMPOSE_PROJECT=""
echo "stack removed with its volumes and network"
