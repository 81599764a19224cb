import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'vscode-uri';
import { extractRoutes, type RouteExtraction } from '../../server/src/core/code/extract';
import type { Route } from '../../server/src/core/code/model';

/**
 * The route model every code rule and the drift rules read: one extraction over a workspace of
 * Express or NestJS files. Each line below is what a reviewer would write down reading the code.
 */
const ROOT = join(__dirname, '../fixtures/routes');

function extract(app: string): RouteExtraction {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]);
  return extractRoutes(walk(join(ROOT, app)).map((file) => ({ path: URI.file(file).toString(), text: readFileSync(file, 'utf8') })));
}

const summary = (route: Route) => `${route.method.toUpperCase()} ${route.path}`;
const find = (extraction: RouteExtraction, method: string, path: string) => {
  const route = extraction.routes.find((r) => r.method === method && r.path === path);
  assert.ok(route, `no ${method} ${path}; routes: ${extraction.routes.map(summary).join(', ')}`);
  return route;
};

test('Express: routers mounted across files, route chains, Express 5 paths, app-level middleware', () => {
  const express = extract('express-app');
  assert.deepEqual(express.routes.map(summary).sort(), [
    'DELETE /api/users/:userId/avatar', 'GET /api/files', 'GET /api/files/download/*splat', 'GET /api/files/reports{/:year}',
    'GET /api/orders', 'GET /api/users', 'GET /api/users/:userId', 'GET /health', 'POST /api/orders/:orderId/cancel', 'POST /api/users', 'PUT /api/users/:userId/avatar',
  ]);
  // app.use(requireAuth) comes after /health: it guards the mounted routers, not the health check.
  assert.equal(find(express, 'get', '/health').auth, 'unknown');
  assert.equal(find(express, 'get', '/api/users').auth, true);
  // Validation middleware on the route; an imported handler is the handler, not middleware.
  const createUser = find(express, 'post', '/api/users');
  assert.equal(createUser.validated, true);
  assert.deepEqual(createUser.statuses.map((s) => `${s.code}:${s.via}`), ['201:status']);
  assert.deepEqual(createUser.headersSet.map((h) => h.name), ['location']);
  assert.deepEqual(createUser.storeCalls.map((c) => `${c.library} ${c.model}.${c.operation} ${c.mutating ? 'writes' : 'reads'}`), ['prisma user.create writes']);
  assert.deepEqual(find(express, 'get', '/api/files').middleware.map((m) => m.name), ['express.json', 'requireAuth', 'validateQuery']);
  // A middleware array bound to a const is expanded; a handler defined elsewhere in the file is read.
  const download = find(express, 'get', '/api/files/download/*splat');
  assert.deepEqual(download.middleware.map((m) => m.name).slice(2), ['requireAuth', 'requireScope']);
  assert.equal(download.handler?.name, 'downloadFile');
  assert.deepEqual(download.headersSet.map((h) => h.name), ['cache-control']);
  assert.deepEqual(download.params.map((p) => `${p.in}:${p.name}`), ['path:splat']);
  assert.deepEqual(find(express, 'get', '/api/files/reports{/:year}').params.map((p) => `${p.in}:${p.name}`), ['path:year']);
  // Store calls: bounded or not; the status a handler sends, with its error body.
  const listOrders = find(express, 'get', '/api/orders');
  assert.deepEqual(listOrders.storeCalls.map((c) => `${c.library} ${c.model}.${c.operation} ${c.bounded ? 'bounded' : 'unbounded'}`), ['mongoose Order.find unbounded']);
  assert.deepEqual(listOrders.params.map((p) => `${p.in}:${p.name}`), ['query:status']);
  const getUser = find(express, 'get', '/api/users/:userId');
  assert.deepEqual(getUser.statuses.map((s) => `${s.code}:${s.via}:${s.body?.keys.join(',') ?? ''}`), ['404:status:error', '200:default:']);
  assert.deepEqual(find(express, 'put', '/api/users/:userId/avatar').statuses.map((s) => `${s.code}:${s.via}`), ['204:sendStatus']);
  // App-level facts: body parser limits, error middleware, the entry point's shutdown and keep-alive.
  assert.deepEqual(express.facts.bodyParsers.map((p) => `${p.name} ${p.hasLimit}`), ['express.json true']);
  assert.equal(express.facts.errorMiddleware.length, 1);
  assert.deepEqual(express.facts.entryPoints.map((e) => ({ sigterm: e.hasSigtermHandler, close: e.hasServerClose, all: e.hasCloseAllConnections, keepAlive: e.keepAliveTimeout })), [{ sigterm: true, close: true, all: true, keepAlive: 65000 }]);
});

test('NestJS: global prefix, URI versioning (default, controller and method versions), guards, pipes, parameters', () => {
  const nest = extract('nest-app');
  assert.deepEqual(nest.routes.map(summary).sort(), [
    'ALL /api/v3/reports/legacy/*', 'DELETE /api/v2/users/:id', 'GET /api/v1/users', 'GET /api/v1/users/:id', 'GET /api/v3/reports/:reportId', 'POST /api/v1/users',
  ]);
  assert.equal(nest.facts.globalPrefix, 'api');
  assert.equal(nest.facts.versioning?.defaultVersion, '1');
  assert.deepEqual(nest.facts.globalPipes.map((p) => p.name), ['ValidationPipe']);
  const list = find(nest, 'get', '/api/v1/users');
  assert.equal(list.auth, true);
  assert.deepEqual(list.middleware.map((m) => m.name), ['JwtAuthGuard']);
  assert.deepEqual(list.params.map((p) => `${p.in}:${p.name}`), ['query:cursor']);
  assert.equal(list.handler?.name, 'UsersController.list');
  // Statuses: NotFoundException, Nest's default 201 for POST, @HttpCode(HttpStatus.NO_CONTENT).
  assert.deepEqual(find(nest, 'get', '/api/v1/users/:id').statuses.map((s) => `${s.code}:${s.via}`), ['404:exception', '200:default']);
  const create = find(nest, 'post', '/api/v1/users');
  assert.deepEqual(create.statuses.map((s) => `${s.code}:${s.via}`), ['201:default']);
  assert.equal(create.bodyType, 'CreateUserDto');
  assert.deepEqual(find(nest, 'delete', '/api/v2/users/:id').statuses.map((s) => `${s.code}:${s.via}`), ['204:httpCode']);
  // @Controller({ path, version }), @Header, @UsePipes, @Headers: no guard, so auth is unknown.
  const report = find(nest, 'get', '/api/v3/reports/:reportId');
  assert.equal(report.auth, 'unknown');
  assert.equal(report.validated, true);
  assert.deepEqual(report.headersSet.map((h) => h.name), ['cache-control']);
  assert.deepEqual(report.params.map((p) => `${p.in}:${p.name}`), ['path:reportId', 'header:if-none-match']);
});

test('extraction never throws on code it does not understand', () => {
  const broken = extractRoutes([
    { path: 'file:///a.ts', text: "import express from 'express';\nconst app = express(;\napp.get('/x', (req, res) => { res.status(" },
    { path: 'file:///b.ts', text: "import { Controller, Get } from '@nestjs/common';\n@Controller(42)\nexport class X { @Get(undefined) y() {} }" },
  ]);
  assert.ok(Array.isArray(broken.routes));
});
