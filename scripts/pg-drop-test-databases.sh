#!/usr/bin/env bash
# Drops the databases the test suite creates on PostgreSQL (`yv_test_*` per test, `yv_tmpl_*`
# migrated templates). Tests drop their own databases; this cleans up after interrupted runs.
#
#   scripts/pg-drop-test-databases.sh [ADMIN_URL]
#
# ADMIN_URL defaults to $PG_ADMIN_URL or postgres://postgres@127.0.0.1:5432/postgres.
# Do not run it while someone else runs the suite against the same server: it drops their
# databases too.
set -euo pipefail

admin_url=${1:-${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}}
# Overridable so that the script itself can be tested without touching real test databases.
pattern=${YV_TEST_DB_PATTERN:-'^yv_(test|tmpl)_'}

psql_() { psql "$admin_url" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

# Test databases first, templates (`datistemplate`) last: a test may be cloning one right now.
list=$(psql_ -v pattern="$pattern" <<'SQL'
SELECT datname FROM pg_database WHERE datname ~ :'pattern' ORDER BY datistemplate, datname;
SQL
)
dbs=()
[[ -n $list ]] && mapfile -t dbs <<<"$list"

if ((${#dbs[@]} == 0)); then
    echo "no test databases to drop"
    exit 0
fi
for db in "${dbs[@]}"; do
    # A database flagged as template cannot be dropped; WITH (FORCE) ends open sessions.
    psql_ -v db="$db" <<'SQL'
SELECT format('ALTER DATABASE %I IS_TEMPLATE false', :'db')
  FROM pg_database WHERE datname = :'db' AND datistemplate \gexec
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
SQL
done
echo "dropped ${#dbs[@]} test database(s)"
