# app: node
# expect: refuse Node projects are not supported
FROM node:20
WORKDIR /app
COPY . .
RUN npm install
EXPOSE 5173
CMD npm run dev -- --host
