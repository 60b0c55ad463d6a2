# syntax=docker/dockerfile:1
FROM golang:1.23 AS base
RUN --mount=type=cache,id=gomod,target=/go/pkg/mod go mod download

FROM base AS api
# api builds on base: the two uses of gomod run one after the other.
RUN --mount=type=cache,id=gomod,target=/go/pkg/mod go build ./cmd/api

FROM base AS worker
# worker and api both only need base: they build in parallel.
# expect-next: DF009
RUN --mount=type=cache,id=gomod,target=/go/pkg/mod go build ./cmd/worker
RUN --mount=type=cache,id=gobuild,target=/root/.cache/go-build,sharing=locked go build ./x

FROM golang:1.23 AS tools
RUN --mount=type=cache,id=gobuild,target=/root/.cache/go-build,sharing=locked go install ./tool
RUN --mount=type=cache,target=/var/cache/apt apt-get update
RUN --mount=type=cache,id=private-cache,target=/p,sharing=private true

FROM debian:12 AS pkgs
# No id: the target is the id, and tools uses the same one.
# expect-next: DF009
RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl
RUN --mount=type=cache,id=private-cache,target=/p,sharing=private true

FROM alpine:3.20
COPY --from=api /go/bin/api /usr/local/bin/
COPY --from=worker /go/bin/worker /usr/local/bin/
COPY --from=tools /go/bin/tool /usr/local/bin/
COPY --from=pkgs /usr/bin/curl /usr/local/bin/
