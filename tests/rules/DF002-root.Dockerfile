# Clean: the final user is root, or a different user owns the directory.
FROM alpine:3.20 AS one
RUN adduser -D web
COPY --chown=web . /srv/www
WORKDIR /srv/www
USER root
CMD ["./serve"]

FROM alpine:3.20
RUN adduser -D web && adduser -D other
COPY --chown=other:other . /srv/www
WORKDIR /srv/www
USER web
CMD ["./serve"]
