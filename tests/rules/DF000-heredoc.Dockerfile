FROM alpine:3.20
# expect-next: DF000
RUN <<EOF
