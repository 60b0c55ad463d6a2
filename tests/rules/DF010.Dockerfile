FROM debian:12
# expect-next: DF010
RUN mkdir -p /srv/uploads && chmod 777 /srv/uploads
# expect-next: DF010
RUN chmod -R 0777 /var/www
# expect-next: DF010
RUN chmod o+w /opt/shared
# expect-next: DF010
RUN chmod a+rwx /data
# expect-next: DF010
RUN mkdir -m 777 /cache
# expect-next: DF010
RUN mkdir -p --mode=0777 /cache2
# expect-next: DF010
RUN install -d -m 0777 /spool
# A numeric mode clears the sticky bit /tmp had.
# expect-next: DF010
RUN chmod 777 /tmp
# expect-next: DF010
RUN find /app -type d -exec chmod 777 {} +
# A world-writable regular file is reported too (at medium severity).
# expect-next: DF010
RUN touch /var/log/app.log && chmod 666 /var/log/app.log
ENV SHARED=/srv/shared
# expect-next: DF010
RUN mkdir -p "$SHARED" && chmod ugo+w "$SHARED"
# GNU chmod takes options after the mode too.
# expect-next: DF010
RUN chmod 0777 -R /var/lib/mpd
