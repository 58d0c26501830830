'use strict';
const Fastify = require('fastify');
const { open } = require('./db');

const db = open();
const app = Fastify({ logger: true });

app.get('/health', async (request, reply) => {
  // fails until `npm run migrate` has created the table
  const row = db.prepare('SELECT COUNT(*) AS n FROM entries').get();
  return { status: 'ok', entries: row.n };
});

app.get('/entries', async () => db.prepare('SELECT * FROM entries ORDER BY id').all());

app.post('/entries', async (request, reply) => {
  const { amount_cents: amount = 0, memo = '', category = 'general' } = request.body || {};
  const info = db
    .prepare('INSERT INTO entries (amount_cents, memo, category, created_at) VALUES (?, ?, ?, ?)')
    .run(Number(amount), String(memo), String(category), new Date().toISOString());
  reply.code(201);
  return { id: Number(info.lastInsertRowid) };
});

const port = Number(process.env.PORT || 8080);
app.listen({ port, host: '0.0.0.0' }).catch((err) => {
  app.log.error(err);
  process.exit(1);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => app.close().then(() => process.exit(0)));
}
