#!/bin/sh
# Fixture for SH001 in shell scripts (the script analyzer uses the shared SH001 core).
set -eu

docker cp web:/etc/app/config.yaml ./config.yaml  # expect: SH001
docker --context prod container cp ./patch.tar "web:/opt/app/"  # expect: SH001
sudo podman cp db:/var/lib/data.db /backup/  # expect: SH001
kubectl --namespace shop cp shop/api-0:/var/log/app.log ./app.log -c api  # expect: SH001
docker compose cp api:/app/out ./out  # expect: SH001
nerdctl container cp ./x builder:/in  # expect: SH001

# Clean: the container is paused or stopped around the copy.
docker pause web
docker cp web:/var/log/app.log ./app.log
docker unpause web

docker stop db && docker cp db:/var/lib/db ./backup && docker start db

# Clean: a created container never runs.
cid=$(docker create myimage:1.2)
docker cp "$cid:/app/bin" ./bin
docker rm "$cid"

# Reported again once the container runs.
docker start db
docker cp db:/var/lib/db ./backup2  # expect: SH001

for c in web api; do
  docker cp "$c":/etc/hostname "./$c.hostname"  # expect: SH001
done
