# Retouch: one image for API nodes (`serve`, the default) and workers (`worker`). compose.yaml runs
# both the way `npm run cluster` does on one machine. Minimal by intent: it cannot be built on the
# development machine (no Docker there); the processes it runs are the ones test/cluster.test.ts tests.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when its prebuilt binary cannot be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends g++ make python3 && rm -rf /var/lib/apt/lists/*
COPY . .
# npm ci's prepare step builds the playground and compiles the server to dist/ (npm run build);
# then the dev dependencies (Vite, TypeScript, test tools) are dropped.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
# MALLOC_ARENA_MAX as npm start sets it (README, "Memory").
ENV NODE_ENV=production RETOUCH_DATA_DIR=/data MALLOC_ARENA_MAX=2
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
# 8080: the API (serve); 8090: a worker's /health and /ready.
EXPOSE 8080 8090
CMD ["node", "dist/server/cli/main.js", "serve"]
