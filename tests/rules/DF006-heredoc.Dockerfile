FROM debian:12
# expect-next: DF006
RUN <<EOF
set -e
if test -e /tmp/pip-cache; then
  echo "reusing"
fi
cp -a /root/.cache/pip /tmp/pip-cache
EOF
