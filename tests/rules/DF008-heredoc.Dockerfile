# syntax=docker/dockerfile:1
FROM alpine:3.20
COPY <<'EOF' /evil.sh
#!/proc/self/exe
EOF
RUN <<EOF
set -e
ln -s /proc/self/exe /usr/bin/x
EOF
RUN cat > /payload.sh <<'EOF'
  #! /proc/self/exe
EOF
COPY <<EOF /ok.sh
#!/bin/sh
echo "/proc/self/exe is only mentioned here"
EOF
RUN <<EOF
#!/bin/sh
readlink /proc/self/exe
EOF
ENTRYPOINT ["/ok.sh"]
# The findings are inside heredoc bodies, so they are given by line number.
# expect-at 4: DF008
# expect-at 8: DF008
# expect-at 11: DF008
