# The final user owns the directory its entrypoint lives in.
FROM python:3.12-slim AS build
RUN useradd -u 1001 app
# builder stages do not run: no finding here
RUN chown -R app /srv
USER app

FROM python:3.12-slim
RUN useradd -u 1001 app
COPY --chown=root:root . /opt/service
# expect-next: DF002
RUN chown -R app:app /opt
USER app
ENTRYPOINT ["/opt/service/bin/start.sh"]
