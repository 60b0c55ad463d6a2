# DF010: a later chmod closes the hole only when it takes write from others away.
FROM debian:12
# `chmod +x` afterwards leaves o+w in place: still reported.
# expect-next: DF010
RUN mkdir -p /srv/hooks && chmod 777 /srv/hooks
RUN chmod +x /srv/hooks
# `chmod o-w` afterwards does close it.
RUN mkdir -p /srv/spool && chmod 777 /srv/spool
RUN chmod o-w /srv/spool
# and so does a numeric mode without o+w
RUN chmod 0777 /srv/cache && chmod 0755 /srv/cache
# `a+x` after `o+w`: still writable by others
# expect-next: DF010
RUN mkdir /data && chmod o+w /data && chmod a+x /data
# `-R` on a script: a world-writable file (reported at medium), not left open by `chmod +x`
ADD run.sh /run.sh
# expect-next: DF010
RUN chmod -R 777 /run.sh
RUN chmod +x /run.sh
