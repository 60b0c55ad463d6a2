FROM postgres:16
# Before the VOLUME: fine.
RUN mkdir -p /var/lib/postgresql/data && chown postgres /var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
# expect-next: DF011
RUN chown -R postgres /var/lib/postgresql/data
# expect-next: DF011
COPY init.sql /var/lib/postgresql/data/
# Reading the volume, or writing elsewhere, is fine.
RUN ls -la /var/lib/postgresql/data && cat /var/lib/postgresql/data/PG_VERSION || true
RUN touch /var/lib/postgresql/other && echo hi > /tmp/x && cp /var/lib/postgresql/data/x /tmp/
# expect-next: DF011
RUN cd /var/lib/postgresql/data && touch marker
# expect-next: DF011
RUN echo "listen_addresses='*'" >> /var/lib/postgresql/data/postgresql.conf
# A recursive change of a parent reaches into the volume.
# expect-next: DF011
RUN chown -R postgres:postgres /var/lib/postgresql
# expect-next: DF011
RUN curl -fsSL -o /var/lib/postgresql/data/seed.sql https://example.com/seed.sql
WORKDIR /var/lib/postgresql/data
# expect-next: DF011
RUN touch ./ready
COPY entrypoint.sh /usr/local/bin/
