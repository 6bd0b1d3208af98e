# One Dockerfile, one target per app: docker build --target ingest|api|producer .
# Build stage: npm ci + nx build; runtime stages: production dependencies and one bundled app,
# run as the non-root `node` user. Signals: compose runs each app with `init: true` (tini).

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false npx nx run-many -t build -p producer ingest api

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# /ipc holds the FIFO; a named volume mounted there starts with this owner, so the
# non-root apps can create the FIFO in it.
RUN mkdir -p /ipc && chown node:node /ipc
COPY --from=deps /app/node_modules ./node_modules
USER node

FROM runtime AS producer
COPY --from=build /src/dist/apps/producer ./
ENV FIFO_PATH=/ipc/events.fifo
CMD ["node", "main.js"]

FROM runtime AS ingest
COPY --from=build /src/dist/apps/ingest ./
ENV FIFO_PATH=/ipc/events.fifo
CMD ["node", "main.js"]

FROM runtime AS api
COPY --from=build /src/dist/apps/api ./
EXPOSE 5000
HEALTHCHECK --interval=5s --timeout=3s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "main.js"]
