# The Sagasu app and worker image (docker-compose.yml runs it as both). The CLI runs the TypeScript
# sources through tsx, so the whole checkout is kept; `nuxt build` writes the web app to .output.
# Node 26, the active LTS line; test:node-lines runs the suite on the same release (scripts/test-deps/node-versions.ts).
FROM node:26.12.1-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    SAGASU_DATA_DIR=/var/lib/sagasu

COPY package.json package-lock.json ./
# Dev dependencies too: the build needs them (nuxt, vue-tsc are devDependencies of the build step).
RUN npm ci --include=dev && npm cache clean --force

COPY . .
RUN npx nuxt build

RUN mkdir -p /var/lib/sagasu && chown node:node /var/lib/sagasu
USER node
EXPOSE 3000
CMD ["node", "bin/sagasu.mjs", "serve"]
