'use strict';
const crypto = require('node:crypto');
const express = require('express');

const app = express();
const links = new Map();

app.use(express.json());

app.get('/healthz', (req, res) => res.json({ status: 'ok', links: links.size }));

app.post('/links', (req, res) => {
  const url = String((req.body && req.body.url) || '');
  if (!/^https?:\/\//.test(url)) return res.status(400).json({ error: 'url must start with http(s)://' });
  const code = crypto.randomBytes(4).toString('base64url');
  links.set(code, url);
  res.status(201).json({ code });
});

app.get('/:code', (req, res) => {
  const url = links.get(req.params.code);
  if (!url) return res.sendStatus(404);
  res.redirect(302, url);
});

const port = Number(process.env.PORT || 7000);
const server = app.listen(port, () => console.log(`shortlinks on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
