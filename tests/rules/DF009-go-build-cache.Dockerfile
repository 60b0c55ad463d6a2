# syntax=docker/dockerfile:1
# The shape of a large Go project's Dockerfile: one base stage, many binaries built in parallel
# stages, all with the Go build cache mounted at the same target. Safe and documented: clean.
FROM golang:1.22 AS base
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/.cache/go-build go mod download

FROM base AS init-build
RUN --mount=type=cache,target=/.cache/go-build go build -o /init ./cmd/init
FROM scratch AS init
COPY --from=init-build /init /init

FROM base AS machined-build
RUN --mount=type=cache,target=/.cache/go-build go build -o /machined ./cmd/machined
FROM scratch AS machined
COPY --from=machined-build /machined /machined

FROM base AS apid-build
RUN --mount=type=cache,target=/.cache/go-build go build -o /apid ./cmd/apid
FROM scratch AS apid
COPY --from=apid-build /apid /apid

FROM base AS trustd-build
RUN --mount=type=cache,target=/.cache/go-build go build -o /trustd ./cmd/trustd
FROM scratch AS trustd
COPY --from=trustd-build /trustd /trustd

FROM scratch
COPY --from=init /init /sbin/init
COPY --from=machined /machined /sbin/machined
COPY --from=apid /apid /sbin/apid
COPY --from=trustd /trustd /sbin/trustd
