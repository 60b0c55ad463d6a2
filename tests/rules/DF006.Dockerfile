FROM alpine:3.20
# expect-next: DF006
RUN if [ ! -e /tmp/build.lock ]; then echo locked > /tmp/build.lock; fi
# expect-next: DF006
RUN test -d /var/tmp/cache || mkdir /var/tmp/cache; cp -r src /var/tmp/cache/
# expect-next: DF006
RUN [[ -f /dev/shm/x ]] && chmod 600 /dev/shm/x
# expect-next: DF006
RUN f=$(mktemp -u) && mkfifo "$f"
# expect-next: DF006
RUN echo hello > /tmp/out.$$
# expect-next: DF006
RUN mkdir "/tmp/work-$RANDOM"
# cleanup after a check is not a use
RUN [ -d /tmp/x ] && rm -rf /tmp/x
# checks outside world-writable directories are fine
RUN test -f /etc/app.conf && cp /etc/app.conf /etc/app.conf.bak
# plain cleanup
RUN rm -rf /tmp/* /var/tmp/*
# mktemp proper
RUN d=$(mktemp -d) && cd "$d" && echo ok > file
