# syntax=docker/dockerfile:1
#
# The `portfolio` server as a small image:
#
#   docker build -t portfolio:0.1.0 .
#   docker build --build-arg PLAYGROUND_ASSETS=0 -t portfolio:0.1.0 .   # no GraphiQL files: the playground uses the CDN
#
# Three stages: the release build (Rust 1.95, the project's MSRV), the
# playground's pinned GraphiQL files (optional), and the runtime, which holds
# the binary, the CA certificates and those files, run as an unprivileged
# user. The build needs BuildKit (Docker 23 and later use it by default) for
# its cache mounts.

# ---- build ------------------------------------------------------------------
FROM rust:1.95-slim-trixie AS build
WORKDIR /src
# Only what the workspace needs to build: its manifests and lock file, the
# member crates, and the bundled portfolio (compiled in with include_str!).
COPY Cargo.toml Cargo.lock ./
COPY entity entity
COPY migration migration
COPY bench/datagen bench/datagen
COPY data data
COPY src src
# Cache mounts keep the crates.io downloads and the compiled dependencies
# between builds, so a change to the code recompiles the workspace's own
# crates only. `--locked`: exactly the versions of Cargo.lock. The binary is
# copied out because a cache mount is not part of the image.
RUN --mount=type=cache,id=portfolio-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=portfolio-target,target=/src/target \
    cargo build --release --locked --bin portfolio \
    && install -D -m 0755 target/release/portfolio /out/portfolio

# ---- playground assets (optional) -------------------------------------------
# GraphiQL's files, pinned by playground/package-lock.json, so the playground
# works without a CDN. With PLAYGROUND_ASSETS=0 the directory stays empty and
# the server falls back to the CDN (and says so in its log).
FROM node:22-trixie-slim AS playground
ARG PLAYGROUND_ASSETS=1
WORKDIR /playground
COPY playground/package.json playground/package-lock.json ./
RUN mkdir -p /assets/node_modules \
    && if [ "$PLAYGROUND_ASSETS" = "1" ]; then \
         npm ci --ignore-scripts --no-audit --no-fund \
         && for file in react/umd/react.production.min.js \
                        react-dom/umd/react-dom.production.min.js \
                        graphiql/graphiql.min.js \
                        graphiql/graphiql.min.css; do \
              install -D -m 0644 "node_modules/$file" "/assets/node_modules/$file"; \
            done; \
       fi

# ---- runtime ----------------------------------------------------------------
FROM debian:trixie-slim AS runtime
# CA certificates: TLS to a managed PostgreSQL or MySQL verifies the server.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 portfolio \
    && useradd --system --uid 10001 --gid portfolio --home-dir /app --shell /usr/sbin/nologin portfolio \
    && install -d -o portfolio -g portfolio -m 0750 /app
COPY --from=build /out/portfolio /usr/local/bin/portfolio
COPY --from=playground /assets/node_modules /usr/share/portfolio/playground
WORKDIR /app
# Listen on every interface inside the container; logs as JSON lines on
# stderr. The default database is SQLite in /app (the working directory, the
# one place the user may write): mount a volume there to keep it, or set
# PORTFOLIO_DATABASE_URL to PostgreSQL or MySQL/MariaDB.
ENV PORTFOLIO_ADDR=0.0.0.0:8000 \
    PORTFOLIO_LOG_FORMAT=json \
    PORTFOLIO_PLAYGROUND_ASSETS=/usr/share/portfolio/playground
USER 10001:10001
EXPOSE 8000
# Liveness only (/healthz never touches the database), with bash's /dev/tcp:
# the image carries no HTTP client.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8000 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/portfolio"]
CMD ["serve"]
