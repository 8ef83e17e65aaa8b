import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Every REST route of the API contract, as OpenAPI names it. */
const CONTRACT_ROUTES = [
  'post /api/token',
  'post /api/token/refresh',
  'post /api/session',
  'delete /api/session',
  'get /api/v1/users',
  'get /api/v1/users/me',
  'get /api/v1/threads',
  'post /api/v1/threads',
  'get /api/v1/threads/{id}',
  'delete /api/v1/threads/{id}',
  'post /api/v1/threads/{id}/participants',
  'delete /api/v1/threads/{id}/participants/{userId}',
  'get /api/v1/threads/{id}/messages',
  'post /api/v1/threads/{id}/messages',
  'get /history/{chatId}',
  'post /api/v1/messages/{id}/read',
  'post /api/v1/messages/{id}/unread',
  'patch /api/v1/messages/{id}',
  'delete /api/v1/messages/{id}',
  'get /api/v1/messages/search',
  'post /api/v1/threads/{id}/read',
  'get /api/v1/threads/{id}/messages/unread_count',
  'get /api/v1/unread_count',
  'get /health/live',
  'get /health/ready',
];

describe('health and docs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness and readiness without authentication', async () => {
    await t.http().get('/health/live').expect(200);
    const ready = await t.http().get('/health/ready/').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await t.http().get('/docs').redirects(1).expect(200);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('documents exactly the contract routes, with bearer auth and examples', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { securitySchemes: Record<string, { scheme: string }>; schemas: Record<string, { properties?: Record<string, { example?: unknown }> }> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(routes.sort()).toEqual([...CONTRACT_ROUTES].sort());
    expect(Object.values(doc.components.securitySchemes).map((s) => s.scheme)).toContain('bearer');
    expect(doc.paths['/api/v1/threads']?.get?.security).toEqual([{ bearer: [] }]);
    expect(doc.components.schemas.MessageDto?.properties?.seq?.example).toBe(3);
  });
});
