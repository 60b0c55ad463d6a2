# The seed: no USER anywhere, so the image runs as root.
# expect-next: DF013
FROM alpine:latest
COPY --chown=root:root . /tmp/build
RUN chmod -R 755 /tmp/build && chown -R root:root /tmp/build
RUN /tmp/build/compile.sh
