# Every shape of DF001's automatic fix, in steps the offline lab can run: built original and
# fixed by tests/e2e/autofix_equivalence.test.sh (every path's owner, group and mode compared).
# debian:12 is the lab base (BusyBox + shadow's useradd/groupadd; Debian's busybox-static has no
# adduser applet, so adduser is not built here: the fix never assumes its groups). Each
# stage is built (--target) and compared.
FROM debian:12 AS files
RUN groupadd -g 2000 svc && useradd -u 2000 -g svc -M -s /bin/false svc
RUN useradd -m -u 1001 app
# a user and group created before the COPY, by name
COPY app.conf /etc/app.conf
RUN chown svc:svc /etc/app.conf
# an octal mode
COPY run.sh /usr/local/bin/run.sh
RUN chmod 0750 /usr/local/bin/run.sh
# numeric ids and a mode in one RUN
COPY data.txt /srv/data.txt
RUN chown 1500:1500 /srv/data.txt && chmod 600 /srv/data.txt
# a flag the COPY already has, with another value
COPY --chmod=644 tool.sh /opt/tool.sh
RUN chmod 755 /opt/tool.sh
# the same owner the COPY already sets: only the RUN goes
COPY --chown=app:app secret.txt /home/app/secret.txt
RUN chown app:app /home/app/secret.txt
# a file into a directory that exists (WORKDIR), without a trailing slash
WORKDIR /opt/app
COPY start.sh /opt/app
RUN chmod 700 /opt/app/start.sh
# ADD of a local file
ADD notes.txt /srv/notes.txt
RUN chown app:app /srv/notes.txt
# root, by name
COPY root.txt /root.txt
RUN chown root:root /root.txt

FROM debian:12 AS groups
# useradd makes a group of the user's name (Debian's USERGROUPS_ENAB), groupadd any other
RUN useradd -M -u 1002 worker && groupadd -g 3000 shared
COPY b.txt /tmp/b.txt
RUN chown worker:shared /tmp/b.txt
COPY c.txt /tmp/c.txt
RUN chown worker:worker /tmp/c.txt

FROM scratch AS tree
COPY --from=files /bin/ /bin/
# Directory trees changed recursively: refused. Built once with the fix forced, the images
# differed: /app (created by the COPY) kept 755 under --chmod=0750, and /etc, created for
# /etc/conf/, belonged to 1700 under --chown=1700:1700 (docs/evaluation.md).
COPY rootfs/ /app/
RUN chmod -R 0750 /app
COPY conf/ /etc/conf/
RUN chown -R 1700:1700 /etc/conf
