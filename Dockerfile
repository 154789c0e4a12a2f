# syntax=docker/dockerfile:1
# The youth volunteer platform API: a release build on Debian bookworm, run as a non-root user.
#
#   docker build -t youth-volunteer .
#   docker compose up --build        # with PostgreSQL, see docker-compose.yml and README.md

FROM rust:1.95-bookworm AS builder
WORKDIR /src
# The whole workspace (see .dockerignore): the manifest names tests, benches and examples, and
# migrations embed their seed data at compile time. Swagger UI assets are vendored, so the
# build downloads nothing but crates.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin youth-volunteer \
    && install -D -m 0755 target/release/youth-volunteer /out/youth-volunteer

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && install -d -o app -g app /app /app/data
COPY --from=builder /out/youth-volunteer /usr/local/bin/youth-volunteer
WORKDIR /app
USER 10001:10001
# APP_DATA_DIR holds the SQLite file when no APP_DATABASE_URL is given (mount a volume there).
ENV APP_HOST=0.0.0.0 \
    APP_PORT=8080 \
    APP_DATA_DIR=/app/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health/live || exit 1
# Exec form: the service is PID 1 and gets SIGTERM itself (graceful shutdown, up to 30 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/youth-volunteer"]
