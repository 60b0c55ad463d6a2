# DF005: the checksum check may come after `chmod +x` in the same RUN (download, make
# executable, verify, run); an executable nothing verifies by the end of its RUN is reported.
FROM debian:12
ARG KUBECTL_SHA256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl \
 && chmod +x /usr/local/bin/kubectl \
 && echo "${KUBECTL_SHA256}  /usr/local/bin/kubectl" | sha256sum -c - \
 && kubectl version --client
# expect-next: DF005
RUN curl -fsSLo /usr/local/bin/helm https://example.com/helm \
 && chmod +x /usr/local/bin/helm
# made executable, then run before any check
# expect-next: DF005
RUN wget -O /tmp/setup https://example.com/setup && chmod 755 /tmp/setup && /tmp/setup --install
# A shell reading its program from stdin, with arguments (`bash -s stable`).
# expect-next: DF005
RUN curl -sSL https://get.example.com/rvm | bash -s stable --ruby
# expect-next: DF005
RUN curl --proto '=https' -sSf https://sh.example.com/rustup | sh -s -- -y
# a script file with arguments reads nothing from the pipe's program
RUN curl -fsSL https://example.com/data.json | python3 /opt/parse.py --stdin
