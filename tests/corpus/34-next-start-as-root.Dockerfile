# app: next
# expect: rewrite
FROM node:22-bookworm
WORKDIR /usr/src/app
COPY . .
RUN npm install && npm run build
ARG NEXT_PUBLIC_API_URL
ENV NEXT_PUBLIC_API_URL=$NEXT_PUBLIC_API_URL
LABEL org.opencontainers.image.source="https://example.com/shop"
EXPOSE 3000
CMD ["npm", "run", "start"]
