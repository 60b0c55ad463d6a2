#!/bin/sh
set -eu
docker cp ./config.json api:/app/config.json # expect: SH001
docker create --name tmp example/app
docker cp tmp:/app/bin ./bin
