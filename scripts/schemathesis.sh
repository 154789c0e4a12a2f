#!/usr/bin/env bash
# API fuzzing with schemathesis against the served OpenAPI document.
#
# Builds the debug binary (reusing the test build), starts the service on SQLite in a fresh
# temporary data dir on a free port, logs in as `admin`, seeds a few records
# (scripts/schemathesis_seed.py) and runs `st run` twice with the checks not_a_server_error and
# response_schema_conformance: once with generated ids, once with the `{id}` path parameters
# pinned to the seeded records. Exits non-zero on any failure.
# Used by .ci/run; runs on its own too:
#
#   scripts/schemathesis.sh
#
# Knobs (environment): ST_MAX_EXAMPLES (30), ST_WORKERS (2), ST_TIMEOUT (300 s per `st run`),
# ST_SEED (random; the seed is printed for replay), ST_PORT (a free port), ST_REPORT_DIR
# (<target>/schemathesis-report), ST_VENV (<target>/ci-venv).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

target_dir=$(cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv=${ST_VENV:-$target_dir/ci-venv}
report_dir=${ST_REPORT_DIR:-$target_dir/schemathesis-report}
max_examples=${ST_MAX_EXAMPLES:-30}
workers=${ST_WORKERS:-2}
st_timeout=${ST_TIMEOUT:-300}
admin_password='Ci-Fuzz-Admin-Passw0rd'

service_pid=""
data_dir=""
ok=0

cleanup() {
    if [[ -n $service_pid ]] && kill -0 "$service_pid" 2>/dev/null; then
        kill -TERM "$service_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$service_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$service_pid" 2>/dev/null || true
        wait "$service_pid" 2>/dev/null || true
    fi
    if [[ -n $data_dir ]]; then
        if ((ok)); then
            rm -rf "$data_dir"
        else
            echo "schemathesis step failed; service log: $data_dir/service.log (last lines below)" >&2
            tail -n 40 "$data_dir/service.log" >&2 || true
        fi
    fi
}
trap cleanup EXIT

echo "--- schemathesis: virtualenv $venv"
if ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.*'
"$venv/bin/st" --version

# `cargo test` builds the binary too (for the HTTP tests), with the features the dev-dependencies
# add to shared crates. A plain `cargo build` would compile some 40 crates again with the
# narrower feature set; `--no-run` with the same arguments as .ci/run reuses that build (and is a
# no-op after the test steps).
echo "--- schemathesis: build (cargo test --workspace --no-run)"
cargo test --workspace --no-run
binary=$target_dir/debug/youth-volunteer

port=${ST_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
base=http://127.0.0.1:$port
data_dir=$(mktemp -d "${TMPDIR:-/tmp}/yv-schemathesis.XXXXXX")

echo "--- schemathesis: starting the service on $base (data dir $data_dir)"
env -u APP_DATABASE_URL -u APP_JWT_SECRET -u APP_FIELD_ENCRYPTION_KEY \
    APP_ENV=development \
    APP_HOST=127.0.0.1 \
    APP_PORT="$port" \
    APP_DATA_DIR="$data_dir" \
    APP_ADMIN_PASSWORD="$admin_password" \
    APP_ACCESS_TOKEN_MINUTES=60 \
    APP_LOGIN_MAX_PER_ACCOUNT=100000 \
    APP_LOGIN_MAX_PER_ADDRESS=100000 \
    NO_COLOR=1 \
    "$binary" >"$data_dir/service.log" 2>&1 </dev/null &
service_pid=$!

deadline=$((SECONDS + 60))
until curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null; do
    if ! kill -0 "$service_pid" 2>/dev/null; then
        echo "the service exited during start-up" >&2
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "the service was not ready within 60 s" >&2
        exit 1
    fi
    sleep 0.5
done

login_body=$(printf '{"login":"admin","password":"%s"}' "$admin_password")
token=$(curl -fsS -X POST "$base/api/v1/auth/login" \
    -H 'content-type: application/json' -d "$login_body" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

mkdir -p "$report_dir"
seed_args=()
[[ -n ${ST_SEED:-} ]] && seed_args=(--seed "$ST_SEED")

# st_run NAME [st options...]: one bounded `st run`; exits the script on failure.
st_run() {
    local name=$1
    shift
    echo "--- schemathesis: st run, $name (max ${max_examples} examples per operation, ${workers} workers, budget ${st_timeout} s)"
    local rc=0
    timeout -k 10 "$st_timeout" "$venv/bin/st" "$@" run "$base/api-docs/openapi.json" \
        -H "Authorization: Bearer $token" \
        --checks not_a_server_error,response_schema_conformance \
        --phases examples,coverage,fuzzing,stateful \
        --max-examples "$max_examples" \
        --workers "$workers" \
        --request-timeout 10 \
        --generation-database none \
        --no-color \
        --report junit \
        --report-junit-path "$report_dir/junit-$name.xml" \
        "${seed_args[@]}" || rc=$?
    if ((rc == 124 || rc == 137)); then
        echo "st run ($name) exceeded its ${st_timeout} s budget" >&2
    fi
    if ((rc != 0)); then
        exit "$rc"
    fi
}

# A few records first, so that lists return data whose schema gets checked and so that the
# second pass can aim the `{id}` operations at real rows instead of 404s.
echo "--- schemathesis: seeding"
seed_config=$data_dir/schemathesis-seeded.toml
seed_rc=0
python3 scripts/schemathesis_seed.py "$base" "$token" "$seed_config" || seed_rc=$?
if ((seed_rc == 1)); then
    exit 1
fi

# Pass 1: every operation with generated ids (mostly 404s, malformed ids, bodies).
st_run random-ids --config-file /dev/null
# Pass 2: `{id}` pinned to the seeded records (state-changing calls on real rows).
if ((seed_rc == 0)); then
    st_run seeded-ids --config-file "$seed_config"
else
    echo "warning: seeding was refused (see above; the API changed?): skipping the seeded pass" >&2
fi
if ! kill -0 "$service_pid" 2>/dev/null; then
    echo "the service died during the run" >&2
    exit 1
fi
if grep -q 'panicked' "$data_dir/service.log"; then
    echo "the service log shows a panic" >&2
    exit 1
fi
ok=1
echo "--- schemathesis: passed"
