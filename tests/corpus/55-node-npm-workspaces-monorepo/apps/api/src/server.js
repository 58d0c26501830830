'use strict';
const express = require('express');
const { formatCents, sumCents } = require('@acme/money');

const app = express();
const cart = [1299, 450, 2000];

app.get('/health', (req, res) => res.json({ status: 'ok' }));
app.get('/cart/total', (req, res) => res.json({ total: formatCents(sumCents(cart)) }));

const port = Number(process.env.PORT || 4000);
const server = app.listen(port, () => console.log(`api listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
