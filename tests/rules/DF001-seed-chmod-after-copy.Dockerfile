FROM alpine:latest
COPY --chown=root:root . /tmp/build
# expect-next: DF001
RUN chmod -R 755 /tmp/build && chown -R root:root /tmp/build
RUN /tmp/build/compile.sh
