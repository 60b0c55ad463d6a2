FROM alpine:3.20 AS build
# expect-next: DF004
COPY . .
# expect-next: DF004
COPY go.mod ./
# expect-next: DF004
WORKDIR src
COPY . .
ARG DEST=/opt/x
COPY a.txt $DEST

FROM build AS test
# inherits the WORKDIR set in the stage it is built on
COPY test.sh ./

FROM alpine:3.20
COPY --from=build /out /usr/local/bin/
# expect-next: DF004
VOLUME data /var/lib/x
WORKDIR /app
WORKDIR sub
VOLUME ["cache"]
COPY . .
