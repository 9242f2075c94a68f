# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# tsx (a runtime dependency) runs the TypeScript; no dev tools in the image.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# Listening beyond loopback needs an auth strategy (jwt or http_basic): noauth is refused there.
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
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.IRONIC_GATEWAY_PORT||6385)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "--import", "tsx", "src/main.ts"]
CMD ["serve"]
