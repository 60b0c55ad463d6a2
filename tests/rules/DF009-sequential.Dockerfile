# syntax=docker/dockerfile:1
# Clean: every pair of stages that shares a cache is either in one dependency chain or never
# built together.
FROM alpine:3.20 AS a
RUN --mount=type=cache,target=/var/cache/apk apk add curl

FROM alpine:3.20 AS b
RUN --mount=type=cache,target=/var/cache/apk apk add git

FROM alpine:3.20 AS c
# c needs a through RUN --mount=from=a: it waits for a.
RUN --mount=type=bind,from=a,source=/usr/bin/curl,target=/curl \
    --mount=type=cache,target=/var/cache/apk apk add jq

FROM alpine:3.20 AS d
COPY --from=c /usr/bin/jq /usr/bin/jq
RUN --mount=type=cache,target=/var/cache/apk apk add make

FROM d
