# app: node-no-lock
# expect: rewrite
FROM node:20
WORKDIR /app
COPY . .
RUN npm install
CMD ["npm", "run", "dev"]
