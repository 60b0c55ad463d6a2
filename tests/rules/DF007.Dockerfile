FROM alpine:3.20
WORKDIR /app
# expect-next: DF007
WORKDIR /proc/self/fd/7
ARG FD=8
# expect-next: DF007
WORKDIR /proc/self/fd/${FD}
WORKDIR /
# expect-next: DF007
WORKDIR proc/1/cwd
WORKDIR /srv
# a path that only starts with the letters "proc"
WORKDIR /process
# expect-next: DF007
RUN cd /proc/self/fd/9 && ls
RUN cat /proc/cpuinfo && cd /srv
# expect-next: DF007
RUN <<EOF
set -e
cd /proc/1/root
EOF
