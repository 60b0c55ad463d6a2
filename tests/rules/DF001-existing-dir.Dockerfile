# DF001 where the COPY destination is a directory without a trailing slash, or the source a
# directory whose contents land in the destination directory.
FROM debian:12 AS build
RUN mkdir -p /app/dist && touch /app/dist/index.html

FROM debian:12
WORKDIR /opt/app
# /opt/app exists (WORKDIR made it): start.sh lands at /opt/app/start.sh.
COPY start.sh /opt/app
# expect-next: DF001
RUN chmod 755 /opt/app/start.sh
RUN mkdir -p /etc/myapp
COPY app.conf /etc/myapp
# expect-next: DF001
RUN chown 1000:1000 /etc/myapp/app.conf
# A standard directory of every base image.
COPY settings.yaml /usr/local/etc
COPY motd.txt /etc
# expect-next: DF001
RUN chmod 644 /etc/motd.txt
# A directory source copied into dir/: its contents are the destination's children.
COPY --from=build /app/dist /usr/share/nginx/html/
# expect-next: DF001
RUN chmod 644 /usr/share/nginx/html/index.html
COPY conf /etc/nginx/
# expect-next: DF001
RUN chmod 600 /etc/nginx/nginx.conf
# An extensionless file into a standard directory claims only itself: gosu was downloaded.
COPY docker-entrypoint /usr/local/bin
RUN curl -fsSLo /usr/local/bin/gosu https://example.com/gosu && echo "abc  /usr/local/bin/gosu" | sha256sum -c - && chmod +x /usr/local/bin/gosu
# expect-next: DF001
RUN chmod 755 /usr/local/bin/docker-entrypoint
# A file made by the RUN itself from a copied template is not what COPY put there.
RUN cp /etc/myapp/app.conf /etc/myapp/local.conf && chmod 600 /etc/myapp/local.conf
# An extensionless source into a directory this Dockerfile made: it may be a directory whose
# contents land there (the directory itself is what the RUN changes).
WORKDIR /opt/tools/ansible
COPY ./ansible /opt/tools/ansible
# expect-next: DF001
RUN chmod 775 /opt/tools/ansible && ls -l /opt/tools/ansible
# A symlink made next to it is new; the copied script is still the one changed.
COPY entry.sh /usr/local/bin/entry.sh
# expect-next: DF001
RUN ln -s usr/local/bin/entry.sh / && chmod +x /usr/local/bin/entry.sh
