FROM debian:12 AS base
RUN useradd app
# expect-next: DF003
USER app

FROM base
CMD ["/usr/bin/app"]
