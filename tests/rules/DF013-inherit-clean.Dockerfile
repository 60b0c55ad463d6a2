# Clean: USER 10001 is inherited through FROM base; an ARG-dependent USER is unknown.
FROM debian:12 AS base
RUN useradd -u 10001 app
USER 10001

FROM base
COPY app /app
CMD ["/app"]

FROM debian:12 AS other
ARG RUN_AS
USER ${RUN_AS}

FROM base
