# syntax=docker/dockerfile:1
# Clean: stages share apk's package cache (only apk reads it), and nothing takes files out of a
# cache into an image.
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
