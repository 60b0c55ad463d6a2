# DF001: COPY then a later RUN chmod/chown on the copied path, a parent or a child.
FROM alpine:3.20 AS build
WORKDIR /src
COPY --chown=root:root . /tmp/build
# expect-next: DF001
RUN chmod -R 755 /tmp/build && chown -R root:root /tmp/build
RUN /tmp/build/compile.sh

FROM alpine:3.20
ARG APP=/opt/app
ENV BIN=/usr/local/bin
COPY entrypoint.sh ${BIN}/
# expect-next: DF001
RUN chmod +x $BIN/entrypoint.sh
WORKDIR ${APP}
COPY . .
# a child of the copied tree, resolved through WORKDIR
# expect-next: DF001
RUN apk add --no-cache tini \
 && chmod 0700 scripts/run.sh
# a parent, recursively
# expect-next: DF001
RUN chown -R 1000:1000 /opt
# not related to anything copied
RUN chmod 755 /var/log && chown nobody /srv
# a parent without -R does not change the copied files
RUN chmod 755 /opt
# heredoc RUN
# expect-next: DF001
RUN <<EOT
set -e
cd /opt/app
chown -R 1000 conf
EOT
# find -exec on the copied tree
# expect-next: DF001
RUN find /opt/app -type f -exec chmod 644 {} +
