# app: node-no-lock
# expect: refuse no lock file beside it
FROM node:20
WORKDIR /app
COPY . .
RUN npm install
CMD ["npm", "run", "dev"]
