FROM alpine:3.20 AS base
VOLUME ["/data", "/logs"]

FROM base AS app
# The VOLUME is inherited through FROM base.
# expect-next: DF011
RUN echo seed > /data/seed
# expect-next: DF011
RUN mkdir -p /logs/app && ln -s /dev/stdout /logs/app/out.log

FROM alpine:3.20 AS other
# No VOLUME in this stage: fine.
RUN echo seed > /data/seed
ARG DIR=/srv
VOLUME ${DIR}
# expect-next: DF011
ADD https://example.com/x.tgz /srv/
RUN tar -xzf /tmp/x.tgz -C /opt
# expect-next: DF011
RUN tar -xzf /tmp/x.tgz -C /srv/x
