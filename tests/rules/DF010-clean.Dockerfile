FROM debian:12
# Clean: sticky bit, umask-filtered who-less modes, owner/group only, unknown modes.
RUN chmod 1777 /scratch && mkdir -m 1777 /scratch2 && chmod a+w,+t /scratch3
RUN chmod +w /app && chmod 755 /app && chmod u+w,g+w /app && chmod 775 /app
RUN chmod o+w /tmp && chmod o-w /srv/uploads
RUN chmod "$MODE" /x && chmod --reference=/etc /y
RUN mkdir -m 755 /ok && mkdir /ok2 && chmod 0750 /ok2
# Clean: a later chmod in the stage restores a safe mode before the image ships.
RUN mkdir /build && chmod 777 /build
RUN make -C /build && chmod 755 /build
# A symbolic change keeps the sticky bit /tmp ships with...
RUN chmod o+w /tmp
# ...but not after a numeric mode cleared it.
# expect-next: DF010
RUN chmod 0777 /var/tmp
# expect-next: DF010
RUN chmod o+w /var/tmp
# Clean: a scratch directory removed again in the same stage does not ship.
RUN d="$(mktemp -d)" && chmod 777 "$d" && make -C "$d" && rm -rf "$d"
