#!/bin/sh
# Nightly backup of the app's configuration, copied out of the running container.
set -eu
dest=/backup/$(date +%F)
mkdir -p "$dest"
docker cp app:/etc/app/config.yaml "$dest/config.yaml"
