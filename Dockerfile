# syntax=docker/dockerfile:1
# impact-in: one image for every role (`start --role redactor|router|deliver:<platform>|relay`, or
# `migrate`, `schemas push`, `tenants ...`). TypeScript runs on Node 24's type stripping: no build
# step, so the image is the sources plus production dependencies on a Node 24 base.
#
#   podman build --build-arg NODE_BASE=node:24-bookworm-slim -t impact-in .   (where a registry serves images)
#   podman build --build-arg NODE_BASE="$(deploy/image/base-image.sh)" -t impact-in .   (no registry: a local base)
#
# Runs as uid 10001 with nothing to write (read-only root filesystem friendly: no caches, no pid
# files; give it an emptyDir at /tmp if a library wants one). Node is PID 1: the service handles
# SIGTERM and SIGINT itself (drains, commits offsets, exits 0) and starts no child processes, so
# there are no zombies for an init to reap.
ARG NODE_BASE=node:24-bookworm-slim

# ---- production dependencies only (no dev tools, no install scripts)
FROM ${NODE_BASE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# A build behind a TLS-inspecting proxy passes its CA bundle as the build secret `build_ca`
# (deploy/image/build.sh does when NODE_EXTRA_CA_CERTS is set); it never lands in a layer.
RUN --mount=type=secret,id=build_ca \
    if [ -s /run/secrets/build_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build_ca; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error && rm -rf /root/.npm

# ---- runtime
FROM ${NODE_BASE}
# npm is a build tool: not in the runtime image. The unprivileged user exists in our local base;
# created here for other Node 24 bases.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && if ! getent passwd 10001 >/dev/null; then \
      groupadd --system --gid 10001 impact \
      && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin impact; \
    fi
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY schemas ./schemas
COPY src ./src
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=9464 \
    BENEVITY_CALLBACK_HOST=0.0.0.0 \
    BENEVITY_CALLBACK_PORT=9465
USER 10001:10001
EXPOSE 9464 9465
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HTTP_PORT||9464}/healthz`).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Labels last: the build's date and revision change on every build and must not void the layers above.
ARG NODE_BASE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="impact-in" \
      org.opencontainers.image.description="Kafka event-streaming pipeline that delivers CSR impact events to Benevity, Goodera and Workday" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${NODE_BASE}"
ENTRYPOINT ["node", "/app/bin/impact-in.js"]
CMD ["start", "--role", "all"]
