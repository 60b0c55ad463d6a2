FROM golang:1.23 AS build
RUN CGO_ENABLED=0 go build -o /server ./cmd/server
USER 65532

# A scratch image has no users: without USER its process runs as UID 0.
# expect-next: DF013
FROM scratch
COPY --from=build /server /server
ENTRYPOINT ["/server"]
