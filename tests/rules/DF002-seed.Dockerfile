FROM node:18-alpine
RUN mkdir -p /app/data && chown -R node:node /app/data
# expect-next: DF002
COPY --chown=node:node . /app/data
USER node
WORKDIR /app/data
CMD ["node","server.js"]
