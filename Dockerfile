# One image for the three services and the schema job; docker-compose.yml picks the entry point with
# `command` (node dist/apps/<app>/src/main.js, or node dist/tools/launcher/schema-job.js).

# --- build: all dependencies, compile apps + libs (npm run build) and the schema job -------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY tools ./tools
RUN npm run build \
 && npx tsc -p tools/launcher/tsconfig.schema-job.json \
 && npx tsc-alias -p tools/launcher/tsconfig.schema-job.json

# --- deps: production dependencies only ------------------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime: compiled JS, production node_modules, the schema files and the dashboard's static files --
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The schema job finds cql/ next to package.json; the query service finds apps/query/public the same way
# (from the build stage: its app.js is bundled there by npm run build).
COPY cql ./cql
COPY --from=build /app/apps/query/public ./apps/query/public
USER node
EXPOSE 3000 3001 3002
CMD ["node", "dist/apps/query/src/main.js"]
