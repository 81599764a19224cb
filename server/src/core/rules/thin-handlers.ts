import ts from 'typescript';
import { defineRule } from './rule';
import { forEachDescendant } from '../code/ast';

const MIN_STORE_CALLS = 3;
const MIN_STATEMENTS = 15;
const MIN_BRANCHES = 3;

export default defineRule({
  id: 'thin-handlers',
  severity: 'info',
  description: 'A route handler or controller method that talks to the database directly and carries business rules (a long body, several queries, several branches).',
  appliesTo: ['express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Keep framework structure boring. Thin controllers or routes, explicit validation, explicit auth, centralized error handling", and for Express, "keep controllers as transport adapters, not the place where every rule in the system lives". A handler that runs several queries and decides business outcomes mixes HTTP with the domain: it cannot be reused from a job or a queue consumer, and its rules cannot be tested without HTTP. Move the logic into a service and keep the handler to parse, call, answer. This is information, not a defect: short handlers that do one query are fine.`,
    bad: `router.post('/orders', async (req, res) => {
  const user = await prisma.user.findUnique({ where: { id: req.user.id } });
  const stock = await prisma.stock.findMany({ where: { sku: { in: req.body.skus } } });
  if (stock.some((s) => s.quantity === 0)) { /* ... */ }
  // ...twenty more lines of pricing, discounts and inventory rules...
  const order = await prisma.order.create({ data: { /* ... */ } });
  res.status(201).json(order);
});`,
    good: `router.post('/orders', validate(orderCreate), async (req, res) => {
  const order = await orders.place(req.user.id, req.body);
  res.status(201).location(\`/orders/\${order.id}\`).json(order);
});`,
    exampleLanguage: 'ts',
  },
  checkRoute(context, route) {
    const handler = route.handlerNode;
    if (!handler || route.storeCalls.length < MIN_STORE_CALLS) return;
    let statements = 0;
    let branches = 0;
    forEachDescendant(handler, (node) => {
      if (ts.isExpressionStatement(node) || ts.isVariableStatement(node) || ts.isReturnStatement(node) || ts.isIfStatement(node) || ts.isThrowStatement(node)) statements++;
      if (ts.isIfStatement(node) || ts.isConditionalExpression(node) || ts.isSwitchStatement(node) || ts.isCaseClause(node)) branches++;
      return undefined;
    });
    if (statements < MIN_STATEMENTS || branches < MIN_BRANCHES) return;
    context.report({
      span: route.framework === 'express' && route.pathSpan ? route.pathSpan : route.declaration.file === context.uri ? route.declaration : handler,
      message: `${route.method.toUpperCase()} ${route.path} runs ${route.storeCalls.length} queries and ${branches} branches in the handler; move the business logic into a service and keep the handler a transport adapter.`,
    });
  },
});
