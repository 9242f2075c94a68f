# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# tsx (a runtime dependency) runs the TypeScript; no dev tools in the image.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# Listening beyond loopback needs an auth strategy (jwt or http_basic): noauth is refused there,
# with or without TLS.
#
# HTTPS (docs/tls.md): mount the directory that holds the certificate and key read-only, and
# point the settings at the files in it, e.g.
#   -v /etc/ironic-gateway/tls:/etc/ironic-gateway/tls:ro
#   -e IRONIC_GATEWAY_TLS_CERT_FILE=/etc/ironic-gateway/tls/tls.crt
#   -e IRONIC_GATEWAY_TLS_KEY_FILE=/etc/ironic-gateway/tls/tls.key
#   [-e IRONIC_GATEWAY_TLS_CLIENT_CA_FILE=/etc/ironic-gateway/tls/ca.crt]   (mutual TLS)
# Mount the directory, not the single files: a renewal (cert-manager, certbot) replaces the
# files, and the gateway picks the new ones up without a restart only if it sees them. The key
# must be readable by uid 10001.
ENV NODE_ENV=production \
    IRONIC_GATEWAY_HOST=0.0.0.0 \
    IRONIC_GATEWAY_PORT=6385
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY openapi ./openapi
RUN useradd --system --uid 10001 --home /app gateway
USER 10001
EXPOSE 6385
# Liveness over HTTP, or HTTPS when a certificate is set (its name is not checked: loopback).
# Under mutual TLS it needs IRONIC_GATEWAY_TLS_PUBLIC_ROUTES_OPEN=true (or a check of your own).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "const tls=!!process.env.IRONIC_GATEWAY_TLS_CERT_FILE;require(tls?'node:https':'node:http').get({host:'127.0.0.1',port:process.env.IRONIC_GATEWAY_PORT||6385,path:'/healthz',rejectUnauthorized:false,timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"
ENTRYPOINT ["node", "--import", "tsx", "src/main.ts"]
CMD ["serve"]
