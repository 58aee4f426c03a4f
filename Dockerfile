# syntax=docker/dockerfile:1
# mcp-sidecar: serve an HTTP API as an MCP server from its OpenAPI spec.
#
#   docker build -t mcp-sidecar .
#   docker build --build-arg NODE_IMAGE=node:24-slim -t mcp-sidecar:node24 .
#   docker run --rm -p 8080:8080 -v "$PWD/config:/config:ro" mcp-sidecar
#
# The config is read from $MCP_SIDECAR_CONFIG (/config/config.yaml). Mount the config's *folder*
# (not the single file) so hot reload sees editors' atomic renames and ConfigMap updates.
# The code runs on Node.js >= 20.12; the default base is the current LTS.
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: all dependencies, TypeScript → dist/ --------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` script runs tsc, and the sources are not copied yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
COPY scripts ./scripts
# No source maps in the image: node does not use them unless run with --enable-source-maps.
# Then, as `npm run build` does, the config validator is compiled ahead of time and yaml and ajv are
# bundled into one file each (dist/vendor/: dozens of small files cost start-up time to load).
RUN npx tsc -p tsconfig.build.json --sourceMap false && node scripts/compile-config-validator.mjs && node scripts/vendor-bundles.mjs

# ---- runtime: production dependencies and the compiled code only -----------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    MCP_SIDECAR_CONFIG=/config/config.yaml \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (tsc) must not run here; no production dependency needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force && rm -rf /root/.npm /tmp/*
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
COPY config ./config
# The base image's `node` user, by number: Kubernetes can only verify runAsNonRoot for a numeric USER.
USER 1000:1000
EXPOSE 8080
# node itself does the check (slim images have no curl). $PORT is the port the example config listens on.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and gets SIGTERM directly: the sidecar drains in-flight calls and exits 0.
ENTRYPOINT ["node", "/app/dist/main.js"]
CMD ["serve"]
