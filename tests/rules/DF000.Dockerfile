# A Dockerfile Docker would reject: tocsin reports DF000 at the problem and goes on.
FROM alpine:3.20
# expect-next: DF000
FROBNICATE /etc/passwd
RUN echo still parsed
