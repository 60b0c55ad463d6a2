FROM alpine:3.20
WORKDIR /app
COPY . .
# expect-next: DF002
RUN chmod -R a+w /app
USER 1000
CMD ["./run"]
