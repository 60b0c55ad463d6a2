FROM docker:27-cli
# expect-next: SH001
RUN docker cp web:/etc/app/config.yaml /tmp/config.yaml
# expect-next: SH001
RUN docker --context prod container cp ./patch.tar web:/opt/app/
# expect-next: SH001
RUN sudo podman cp db:/var/lib/data.db /backup/
# expect-next: SH001
RUN kubectl -n shop cp shop/api-0:/var/log/app.log ./app.log
# expect-next: SH001
RUN docker compose -f compose.yaml cp api:/app/out ./out
# expect-next: SH001
RUN docker-compose -p demo cp ./seed.sql db:/docker-entrypoint-initdb.d/
# expect-next: SH001
RUN /usr/local/bin/nerdctl -n k8s.io cp -L builder:/out ./out
# The pause is undone before this copy.
# expect-next: SH001
RUN docker pause web && docker unpause web && docker cp web:/x /y
# Clean: paused (or stopped) around the copy.
RUN docker pause web && docker cp web:/x /y && docker unpause web
RUN docker stop db && docker cp db:/var/lib/db /backup && docker start db
# Clean: created from an image, never started.
RUN id=$(docker create myimage:1.2) && docker cp "$id":/app/bin ./bin && docker rm "$id"
RUN docker create --name extract myimage && docker cp extract:/out ./out
# Clean: no container side.
RUN docker cp ./a ./b:c && cp web:/x /y && docker ps
