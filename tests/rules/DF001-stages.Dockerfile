# Stages are separate: a chmod in a later stage does not refer to an earlier stage's COPY.
FROM golang:1.22 AS build
COPY main.go /src/main.go
RUN go build -o /out/app /src/main.go

FROM debian:12
COPY --from=build /out/app /usr/local/bin/app
COPY docker-entrypoint.sh /usr/local/bin/
# downloaded, not copied: gosu is not the copied file
RUN curl -fsSLo /usr/local/bin/gosu https://example.com/gosu && echo "abc  /usr/local/bin/gosu" | sha256sum -c - && chmod +x /usr/local/bin/gosu
RUN chmod 755 /src || true
# expect-next: DF001
RUN chmod 755 /usr/local/bin/app
# unknowable paths are not guessed
RUN chmod +x "$(command -v app)" $UNSET/x
