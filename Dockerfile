# One Dockerfile, one target per app: docker build --target producer|ingest|api .
#
# build:   node:24-bookworm-slim (Node 24 LTS, as .nvmrc says): npm ci + `nx run-many -t build`
#          (esbuild bundles each app into dist/apps/<app>/main.js and writes a package.json +
#          package-lock.json holding only that app's runtime dependencies), then
#          `npm ci --omit=dev` in each dist/apps/<app> from npm's local cache.
# runtime: debian:bookworm-slim + the node binary of the build image (no npm, yarn or headers:
#          ~70 MB less than node:24-bookworm-slim), one bundled app and its production
#          dependencies, run as the non-root `node` user (uid 1000).
# Signals: compose runs every app with `init: true` (docker-init, i.e. tini, as PID 1, which
#          forwards SIGTERM and reaps children); with plain `docker run`, pass `--init`.
# Builds with the classic builder and BuildKit alike (no RUN --mount, no `# syntax=`).

FROM node:24-bookworm-slim AS build
# Nx without its daemon, Nx Cloud or the terminal UI: a one-shot build that needs no network
# beyond the npm registry (nx.json also sets neverConnectToCloud).
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build -p producer ingest api \
 && for app in producer ingest api; do \
      (cd "dist/apps/$app" && npm ci --omit=dev --prefer-offline --no-audit --no-fund) || exit 1; \
    done \
 && du -sh dist/apps/*/node_modules

FROM debian:bookworm-slim AS runtime
# mkfifo (coreutils) and sh come with the base image: the apps create the FIFO with mkfifo, the
# healthchecks below use node. Nothing writes to the image at run time (compose: read_only):
# logs go to stdout, the FIFO to the /ipc volume.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
# /ipc holds the FIFO. An empty named volume mounted there is first filled from the image, owner
# included, so the non-root producer and ingest can create the FIFO in it.
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --no-create-home --home-dir /app --shell /usr/sbin/nologin node \
 && mkdir -p /ipc /app \
 && chown node:node /ipc \
 && node --version \
 && command -v mkfifo
ENV NODE_ENV=production
WORKDIR /app

FROM runtime AS producer
# The app files stay root-owned: the node user can read them, not change them.
COPY --from=build /src/dist/apps/producer ./
ENV FIFO_PATH=/ipc/events.fifo
USER node
CMD ["node", "main.js"]

FROM runtime AS ingest
COPY --from=build /src/dist/apps/ingest ./
ENV FIFO_PATH=/ipc/events.fifo
USER node
# Healthy while GET /health on HEALTH_PORT (default 9464) answers 200: Redis reachable, batches
# stored, the id's lease held. It answers 503 while Redis is away or batch writes fail, and while
# the ingest waits for its INGEST_ID's lease at start: then the container turns unhealthy (after
# the retries), as the api's does; nothing restarts it, it says it is not counting. The status
# and body land in `docker inspect` (.State.Health.Log). 127.0.0.1: HEALTH_HOST must include
# loopback (its default 0.0.0.0 does). node itself, no curl in the image; a check's node takes
# ~0.1-0.5 s to start on a busy 2-core machine, hence 3 s.
HEALTHCHECK --interval=3s --timeout=3s --retries=10 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||9464)+'/health',{signal:AbortSignal.timeout(2500)}).then(async r=>{console.log(r.status,await r.text());process.exit(r.ok?0:1)},e=>{console.log(e.cause?.code??e.cause?.message??e.message);process.exit(1)})"]
CMD ["node", "main.js"]

FROM runtime AS api
COPY --from=build /src/dist/apps/api ./
USER node
EXPOSE 5000
# /health answers 503 (or nothing) while Redis is unreachable, so healthy = serving counts.
# The status and body land in `docker inspect` (.State.Health.Log).
HEALTHCHECK --interval=5s --timeout=3s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health',{signal:AbortSignal.timeout(2500)}).then(async r=>{console.log(r.status,await r.text());process.exit(r.ok?0:1)},e=>{console.log(e.cause?.code??e.cause?.message??e.message);process.exit(1)})"]
CMD ["node", "main.js"]
