FROM debian:12
# expect-next: DF005
ADD https://example.com/tool.tar.gz /opt/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool2.tar.gz /opt/
ADD https://github.com/moby/buildkit.git#9f2e1e4b9b0a0d4a8d3f41c1b2f5f6e7a8b9c0d1 /src/buildkit
ADD local.tar.gz /opt/
# expect-next: DF005
RUN curl -fsSL https://get.example.com/install.sh | sh
# expect-next: DF005
RUN wget -qO- https://example.com/setup | sudo -E bash -
# expect-next: DF005
RUN sh -c "$(curl -fsSL https://raw.example.com/install.sh)"
# expect-next: DF005
RUN curl -fsSL https://example.com/node.tar.xz | tar -xJ -C /usr/local --strip-components=1
# a key import is not running remote code
RUN curl -fsSL https://example.com/key.gpg | gpg --dearmor -o /usr/share/keyrings/example.gpg
# package managers verify what they install
RUN apt-get update && apt-get install -y ca-certificates && pip install requests && npm install -g yarn
# download then execute with no check
# expect-next: DF005
RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh && bash /tmp/install.sh
# download then make executable, no check
# expect-next: DF005
RUN wget -O /usr/local/bin/jq https://example.com/jq-linux64 && chmod +x /usr/local/bin/jq
# downloaded in one RUN, extracted in a later RUN
RUN cd /tmp && curl -LO https://example.com/app-1.2.tgz
# expect-next: DF005
RUN tar -xzf /tmp/app-1.2.tgz -C /opt
# verified with sha256sum: clean
ENV GO_SHA=0123456789abcdef
RUN curl -fsSL -o go.tgz https://dl.google.com/go/go1.22.linux-amd64.tar.gz \
 && echo "$GO_SHA *go.tgz" | sha256sum -c - \
 && tar -C /usr/local -xzf go.tgz && rm go.tgz
# verified with gpg: clean
RUN set -eux; \
    wget -O gosu "https://github.com/tianon/gosu/releases/download/1.17/gosu-amd64"; \
    wget -O gosu.asc "https://github.com/tianon/gosu/releases/download/1.17/gosu-amd64.asc"; \
    export GNUPGHOME="$(mktemp -d)"; \
    gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys B42F6819007F00F88E364FD4036A9C25BF357DD4; \
    gpg --batch --verify gosu.asc gosu; \
    chmod +x gosu; ./gosu --version
# downloaded but only kept as data: not executed here
RUN curl -fsSLo /etc/ssl/certs/extra.pem https://example.com/extra.pem
