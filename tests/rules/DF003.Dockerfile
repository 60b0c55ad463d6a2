FROM golang:1.22 AS build
# builder stages do not run
USER builder
RUN go build ./...

FROM node:18-alpine
ARG UID=1001
ARG NAME=node
USER ${UID}
USER 1001:1001
USER root
USER 0:0
# expect-next: DF003
USER $NAME
# expect-next: DF003
USER node:node
# expect-next: DF003
USER 1001:staff
# unresolvable: not guessed
USER ${APP_USER}
