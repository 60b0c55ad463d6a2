# syntax=docker/dockerfile:1
FROM alpine:3.20
ARG CACHE_ID=../../../../../root
# expect-next: DF009
RUN --mount=type=cache,target=/cache,source=sub ls /cache
# expect-next: DF009
RUN --mount=type=cache,id=../../../../../etc,target=/x cat /x/shadow
# expect-next: DF009
RUN --mount=type=cache,id=${CACHE_ID},target=/y ls /y
# The finding is on the flag, on the continuation line.
# expect-at 13: DF009
RUN --mount=type=bind,source=.,target=/src \
    --mount=type=cache,target=/c,src=../up \
    ls /c
# A bind mount's source is scoped to the build context; `..` inside a name is not a component.
RUN --mount=type=bind,source=../x,target=/x true
RUN --mount=type=cache,id=my..cache,target=/c true
RUN --mount=type=cache,target=/root/.cache/pip pip install requests
RUN --mount=type=cache,target=/root/.cache/pip pip install flask
