const express = require('express');

const app = express();
const notes = [];

app.use(express.json());

app.get('/healthz', (req, res) => res.status(200).send('ok'));

app.get('/', (req, res) => {
  res.json({ service: 'notes-api', env: process.env.NODE_ENV, hasSecret: Boolean(process.env.SESSION_SECRET) });
});

app.get('/notes', (req, res) => res.json(notes));

app.post('/notes', (req, res) => {
  notes.push({ text: String(req.body.text || ''), at: new Date().toISOString() });
  res.status(201).json(notes[notes.length - 1]);
});

module.exports = app;
