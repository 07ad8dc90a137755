# sfsync in a container: `sfsync start` against your own Postgres (DATABASE_URL)
# and org (SFSYNC_* variables). Build: docker build -t sfsync .
# Run:   docker run --env-file sfsync.env -p 127.0.0.1:9464:9464 sfsync
FROM node:20-bookworm-slim
WORKDIR /opt/sfsync
# Dependencies first (cached while only the sources change). The emulator workspace is
# part of the install: the `sfsync emulator` and `demo` commands import it.
COPY package.json package-lock.json ./
COPY packages packages
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin bin
COPY src src
COPY sql sql
USER node
# Inside the container the status page and /metrics must listen beyond loopback to be
# published; publish the port on the host's 127.0.0.1 only (as in the run line above).
ENV NODE_ENV=production SFSYNC_METRICS_HOST=0.0.0.0 SFSYNC_METRICS_PORT=9464
EXPOSE 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/sfsync.js"]
CMD ["start"]
