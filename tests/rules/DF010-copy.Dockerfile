# syntax=docker/dockerfile:1
FROM alpine:3.20
# expect-next: DF010
COPY --chmod=777 app/ /app/
# expect-next: DF010
COPY --chmod=0666 config.yaml /etc/app/config.yaml
# expect-next: DF010
ADD --chmod=o+w data /data
COPY --chmod=755 bin/ /usr/local/bin/
COPY --chmod=1777 scratch/ /scratch/
COPY --chmod=644 config.yaml /etc/app/
RUN <<EOF
set -e
mkdir -p /var/run/app
chmod 0777 /var/run/app
chmod 0755 /var/run
EOF
# expect-at 15: DF010
