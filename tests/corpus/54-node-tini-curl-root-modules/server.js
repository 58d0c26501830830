const path = require('path');
const express = require('express');

const app = express();
const port = Number(process.env.PORT || 80);
const tally = { cats: 0, dogs: 0 };

app.get('/healthz', (req, res) => res.status(200).send('ok'));
app.get('/api/results', (req, res) => res.json(tally));
app.post('/api/vote/:choice', (req, res) => {
  if (!(req.params.choice in tally)) return res.status(404).json({ error: 'unknown choice' });
  tally[req.params.choice] += 1;
  res.json(tally);
});
app.get('/', (req, res) => res.sendFile(path.join(__dirname, 'views', 'index.html')));

const server = app.listen(port, () => console.log(`results listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
