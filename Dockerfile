# syntax=docker/dockerfile:1
# keyward's container image.
#
#   docker build -t keyward .
#   docker run -p 8787:8787 -v keyward-data:/data keyward            # keyward serve
#   docker run --rm -v keyward-data:/data keyward init                # the first root key
#
# The build and install steps run the same scripts as CI's release smoke test (.ci/run →
# scripts/release-smoke.sh), which exercises them in a clean folder outside the
# repository on every run: scripts/pack-packages.mjs builds and packs the packages,
# scripts/install-release.sh installs the tarballs. Configuration is by environment only
# (KEYWARD_*, see README.md and docs/deploy.md).

ARG NODE_VERSION=22

# 1. build: compile and pack every published package, as CI does.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /src
COPY . .
# The build needs only the compiler: skip install scripts (no native module is built here).
RUN npm ci --no-audit --no-fund --ignore-scripts
RUN node scripts/pack-packages.mjs --out /release

# 2. install: the tarballs with their production dependencies only. This image has the
# compilers in case better-sqlite3 has no prebuilt binary for the platform.
FROM node:${NODE_VERSION}-bookworm AS install
COPY --from=build /src/scripts/install-release.sh /usr/local/bin/install-release
COPY --from=build /release /release
RUN install-release /release /opt/keyward

# 3. runtime: a slim Node.js, the installed keyward, a non-root user, data in /data.
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    KEYWARD_HOST=0.0.0.0 \
    KEYWARD_PORT=8787 \
    KEYWARD_DATA_DIR=/data \
    PATH=/opt/keyward/node_modules/.bin:$PATH
COPY --from=install /opt/keyward /opt/keyward
RUN mkdir -p /data && chown node:node /data
USER node
WORKDIR /data
VOLUME ["/data"]
# 8787: admin and verify API; 8788: the gateway (`serve --gateway`, its file's `listen`).
EXPOSE 8787 8788
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.KEYWARD_PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["keyward"]
CMD ["serve"]
