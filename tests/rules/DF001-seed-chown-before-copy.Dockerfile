# The chown happens BEFORE the COPY: nothing to report.
FROM node:18-alpine
RUN mkdir -p /app/data && chown -R node:node /app/data
COPY --chown=node:node . /app/data
USER node
WORKDIR /app/data
CMD ["node","server.js"]
