const { test } = require('node:test');
const assert = require('node:assert');
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { AppModule } = require('../dist/app.module');

test('GET /health answers 200', async () => {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const res = await fetch(`${await app.getUrl()}/health`);
  assert.strictEqual(res.status, 200);
  await app.close();
});
