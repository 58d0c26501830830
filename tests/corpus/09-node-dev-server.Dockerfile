# app: node
# expect: rewrite
FROM node:20
WORKDIR /app
COPY . .
RUN npm install
ENV VITE_API_URL=https://api.example.com
EXPOSE 5173
CMD npm run dev -- --host
