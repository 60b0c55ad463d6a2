FROM alpine:3.20
# expect-next: DF008
RUN ln -s /proc/self/exe /usr/local/bin/entry
# expect-next: DF008
RUN echo '#!/proc/self/exe' > /entry.sh && chmod +x /entry.sh
# expect-next: DF008
RUN apk add --no-cache bash && ln -sf /proc/1/exe /tmp/runc
# expect-next: DF008
RUN exec 3</proc/self/exe && sleep 1
# Reading the link, or mentioning it, is not the pattern.
RUN readlink /proc/self/exe && cat /proc/self/exe | sha256sum
RUN ls -l /proc/self/exe /proc/self/exe-not /proc/self/fd
RUN echo '#!/bin/sh' > /ok.sh && ln -s /usr/bin/env /usr/local/bin/env2
# expect-next: DF008
SHELL ["/proc/self/exe", "-c"]
# expect-next: DF008
CMD /proc/self/exe --help
# expect-next: DF008
ENTRYPOINT ["/proc/self/exe", "init"]
