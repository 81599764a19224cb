import ts from 'typescript';
import { defineRule } from './rule';
import { forEachDescendant } from '../code/ast';

export default defineRule({
  id: 'pagination-in-store',
  severity: 'error',
  description: 'Paging or filtering in the handler after loading everything (`(await repo.find()).slice(...)`, `.filter(...)` on an unbounded result).',
  appliesTo: ['express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide's first performance rule: "Paginate and filter at the data store; never load full collections just to slice in the handler." Loading a whole table to return twenty rows makes every request as slow and memory-hungry as the table is large, and it gets worse every day the table grows. Pass the limit, cursor and filters to the query (\`take\`/\`cursor\` in Prisma, \`take\`/\`where\` in TypeORM, \`.limit()\` in Mongoose, \`LIMIT\` in SQL).`,
    bad: `router.get('/orders', async (req, res) => {
  const orders = await prisma.order.findMany();
  res.json(orders.filter((o) => o.status === req.query.status).slice(0, 20));
});`,
    good: `router.get('/orders', async (req, res) => {
  const orders = await prisma.order.findMany({ where: { status: String(req.query.status) }, take: 20 });
  res.json({ data: orders });
});`,
    exampleLanguage: 'ts',
  },
  checkRoute(context, route) {
    const handler = route.handlerNode;
    if (!handler) return;
    const unbounded = route.storeCalls.filter((call) => !call.bounded && !call.mutating);
    if (unbounded.length === 0) return;
    const isUnboundedCall = (node: ts.Node) => unbounded.some((call) => node.getStart(context.source) <= call.span.start && node.getEnd() >= call.span.end);
    // Variables holding an unbounded result: const orders = await prisma.order.findMany();
    const holders = new Set<string>();
    forEachDescendant(handler, (node) => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && isUnboundedCall(node.initializer)) holders.add(node.name.text);
      return undefined;
    });
    forEachDescendant(handler, (node) => {
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
      const method = node.expression.name.text;
      if (!/^(slice|filter|splice)$/.test(method)) return undefined;
      const receiver = node.expression.expression;
      const fromHolder = ts.isIdentifier(receiver) && holders.has(receiver.text);
      const inline = !ts.isIdentifier(receiver) && isUnboundedCall(receiver);
      if (!fromHolder && !inline) return undefined;
      context.report({
        span: node.expression.name,
        message: method === 'filter'
          ? 'Filtering in the handler after loading the whole collection: move the condition into the query (where/filter at the data store).'
          : 'Paging in the handler after loading the whole collection: pass the limit and cursor to the query instead of slicing the result.',
        related: unbounded.map((call) => ({ uri: context.uri, span: call.span, message: `${call.operation}() loads every row` })),
      });
      return undefined;
    });
  },
});
