FROM debian:12 AS base
RUN useradd -u 10001 app
USER root

FROM base AS tools
RUN apt-get update

# The final stage inherits `USER root` from base through tools.
# expect-next: DF013
FROM tools
CMD ["/bin/bash"]
