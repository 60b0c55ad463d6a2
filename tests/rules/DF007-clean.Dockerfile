FROM alpine:3.20
WORKDIR /app
RUN grep -c processor /proc/cpuinfo
RUN cd /usr/src && (cd proc && make)
CMD ["cat", "/proc/self/status"]
