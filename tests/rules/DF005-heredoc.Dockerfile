# syntax=docker/dockerfile:1
FROM ubuntu:24.04
# expect-next: DF005
RUN <<EOF
set -e
apt-get update
curl -fsSL https://sh.rustup.rs | sh -s -- -y
EOF
RUN <<EOF
set -e
curl -fsSLO https://example.com/tool.zip
curl -fsSLO https://example.com/SHA256SUMS
sha256sum -c --ignore-missing SHA256SUMS
unzip tool.zip -d /opt
EOF
