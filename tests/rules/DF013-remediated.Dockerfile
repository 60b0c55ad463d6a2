# Clean: the builder runs as root, the shipped stage as a numeric non-root user.
FROM alpine:3.20 AS builder
COPY --chmod=755 . /src
RUN /src/compile.sh --out /out

FROM alpine:3.20
RUN adduser -D -u 1001 app
COPY --from=builder --chown=1001:1001 /out/app /app/app
USER 1001
ENTRYPOINT ["/app/app"]
