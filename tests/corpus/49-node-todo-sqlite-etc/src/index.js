'use strict';
const crypto = require('node:crypto');
const path = require('node:path');
const express = require('express');
const db = require('./persistence/sqlite');

const app = express();
app.use(express.json());
app.use(express.static(path.join(__dirname, 'static')));

app.get('/healthz', (req, res) => {
  res.status(db.ping() ? 200 : 500).json({ status: 'ok', db: db.location });
});

app.get('/items', (req, res) => res.json(db.getItems()));

app.post('/items', (req, res) => {
  const item = { id: crypto.randomUUID(), name: String(req.body.name || ''), completed: false };
  db.storeItem(item);
  res.status(201).json(item);
});

app.delete('/items/:id', (req, res) => {
  db.removeItem(req.params.id);
  res.sendStatus(204);
});

db.init();
const server = app.listen(3000, () => console.log('Listening on port 3000'));

const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
