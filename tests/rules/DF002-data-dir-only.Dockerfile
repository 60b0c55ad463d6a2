# Clean: the application stays root-owned, the user owns only a data subdirectory.
FROM node:20-alpine
WORKDIR /app
COPY . /app
RUN mkdir -p /app/data && chown -R node:node /app/data
COPY --chown=node:node seed.json /app/data/
USER node
CMD ["node", "server.js"]
