'use strict';

function formatCents(cents, currency = 'EUR') {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}

function sumCents(values) {
  return values.reduce((acc, v) => acc + Math.trunc(v), 0);
}

module.exports = { formatCents, sumCents };
