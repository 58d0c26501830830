# app: express
# expect: rewrite
FROM node:20
RUN apt-get update && apt-get install -y curl imagemagick
WORKDIR /srv/api
COPY . .
RUN yarn install && npx prisma generate && mkdir -p /srv/api/uploads
ENV PORT=4000 API_SECRET=changeme
EXPOSE 4000
HEALTHCHECK CMD curl -f http://localhost:4000/health || exit 1
CMD ["yarn", "start"]
