# syntax=docker/dockerfile:1
# The temporal-airbyte image: `node lib/cli.js worker` by default, any other CLI command as arguments
# (docker-compose.yml runs the mock Airbyte from it too). Compiled in one stage; the image keeps the
# compiled lib/ (with the prebuilt workflow bundle, so a start does not bundle) and production packages.

# Node's major version is pinned; its patch releases (security fixes) come with a rebuild.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Fail the build, not the first start, when the bundle the worker runs is missing.
RUN npm run build && test -f lib/workflow-bundle.js

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# The Temporal SDK is a peer dependency of the package (an application brings its own), which npm leaves out
# with the dev dependencies. This image is that application: it makes the peers dependencies, at the versions
# the lockfile holds (`npm install` keeps every locked version), then installs without the dev dependencies.
RUN node -e "const fs = require('fs'); const pkg = require('./package.json'); const lock = require('./package-lock.json'); \
      for (const name of Object.keys(pkg.peerDependencies ?? {})) { \
        pkg.dependencies = { ...pkg.dependencies, [name]: lock.packages['node_modules/' + name].version }; \
        delete pkg.devDependencies?.[name]; \
      } \
      fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2));" \
 && npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
COPY package.json ./
# Root owns the files and the worker cannot change them; it runs as the image's unprivileged `node` user.
USER node
EXPOSE 9464
ENTRYPOINT ["node", "lib/cli.js"]
CMD ["worker"]
