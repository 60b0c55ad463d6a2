# syntax=docker/dockerfile:1
# DF009 (shared cache): a step that takes files out of a cache into its image, while the build
# of another image (a stage outside its build chain) writes the same cache.
FROM golang:1.23 AS base
RUN --mount=type=cache,id=gomod,target=/go/pkg/mod go mod download

FROM base AS api
RUN --mount=type=cache,id=gomod,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build go build -o /out/api ./cmd/api

FROM base AS worker
# Parallel to api with the same Go caches: the go tool keys its cache entries by content and
# is safe for concurrent use; nothing is taken out of the cache: clean.
RUN --mount=type=cache,id=gomod,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build go build -o /out/worker ./cmd/worker

FROM debian:12 AS pkgs
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y curl

FROM rust:1.79 AS app
WORKDIR /src
# The release binary is copied out of a cache that the `tests` stage also writes.
# expect-next: DF009
RUN --mount=type=cache,id=cargo-target,target=/src/target cargo build --release && cp target/release/app /usr/local/bin/app

FROM rust:1.79 AS tests
WORKDIR /src
RUN --mount=type=cache,id=cargo-target,target=/src/target,sharing=locked cargo test

FROM node:20 AS web
WORKDIR /web
RUN --mount=type=cache,id=web-build,target=/web/.build npm ci && npm run build -- --out-dir .build

FROM web AS web-release
# Built on `web`: the cache holds this build chain's own output: clean.
RUN --mount=type=cache,id=web-build,target=/web/.build cp -r /web/.build/site /srv/site

FROM alpine:3.20 AS tools
# Runs a program out of a cache that the `cli` stage (another image) also fills.
# expect-next: DF009
RUN --mount=type=cache,id=bin-cache,target=/cache /cache/bin/protoc --version

FROM alpine:3.20 AS cli
RUN --mount=type=cache,id=bin-cache,target=/cache wget -O /cache/bin/protoc https://example.com/protoc

FROM alpine:3.20
COPY --from=api /out/api /usr/local/bin/
COPY --from=worker /out/worker /usr/local/bin/
COPY --from=app /usr/local/bin/app /usr/local/bin/
COPY --from=pkgs /usr/bin/curl /usr/local/bin/
COPY --from=web-release /srv/site /srv/site
