import ts from 'typescript';
import { defineRule } from './rule';
import { decoratorsOf } from '../code/ast';

export default defineRule({
  id: 'validation-server-side',
  severity: 'warning',
  description: 'Request input used without server-side validation: `req.body.x` with no schema or validator on the route; `@Body() body: any` or an interface instead of a validated class; no `ValidationPipe`.',
  appliesTo: ['express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Input validation happens server-side even if clients or SDKs also validate", and per framework: "Express — validate inputs before controller logic"; "NestJS — use DTO classes for transport boundaries; put validation in pipes". A body read straight into a query or a model is how mass assignment, type confusion and 500s on malformed input get in. Validate with a schema middleware (zod, celebrate, express-validator) in Express, and with class-validator DTO classes plus a \`ValidationPipe\` in NestJS (interfaces and \`any\` are erased at run time and validate nothing).`,
    bad: `router.post('/users', async (req, res) => {
  const user = await prisma.user.create({ data: { email: req.body.email, role: req.body.role } });
  res.status(201).json(user);
});`,
    good: `router.post('/users', validate(userCreate), async (req, res) => {
  const user = await prisma.user.create({ data: req.body });
  res.status(201).location(\`/users/\${user.id}\`).json(user);
});`,
    exampleLanguage: 'ts',
    references: ['OWASP API Security Top 10: API3 Broken Object Property Level Authorization', 'NestJS: Validation'],
  },
  checkCode(context) {
    const interfaces = new Set<string>();
    for (const source of context.workspace.extraction.sources.values()) {
      for (const statement of source.statements) if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) interfaces.add(statement.name.text);
    }
    for (const route of context.routes()) {
      if (route.framework === 'express') {
        if (route.validated === true) continue;
        const bodyRead = route.params.find((param) => param.in === 'body');
        if (!bodyRead || !/^(post|put|patch)$/.test(route.method) && !bodyRead) continue;
        context.report({
          span: bodyRead.span ?? route.declaration,
          message: `req.body.${bodyRead.name} is used without validation on ${route.method.toUpperCase()} ${route.path}; validate the body with a schema middleware before the handler.`,
        });
        continue;
      }
      // NestJS: the @Body() parameter must be a class (validated by a ValidationPipe), not any or an interface.
      const method = route.handlerNode;
      if (!method || !ts.isMethodDeclaration(method)) continue;
      for (const parameter of method.parameters) {
        if (!decoratorsOf(parameter).some((d) => d.name === 'Body' && d.args.length === 0)) continue;
        const type = parameter.type?.getText(context.source);
        if (!type || type === 'any' || type === 'unknown' || type === 'object' || /^Record</.test(type) || type.startsWith('{')) {
          context.report({ span: parameter, message: `@Body() is typed ${type ?? 'implicitly any'}: nothing validates it; use a DTO class with class-validator decorators.` });
        } else if (interfaces.has(type.replace(/\[\]$/, ''))) {
          context.report({ span: parameter, message: `@Body() is typed with the interface ${type}, which does not exist at run time, so no pipe can validate it; make it a class with class-validator decorators.` });
        } else if (route.validated !== true) {
          context.report({ span: parameter, message: `@Body() ${type} is never validated: register a ValidationPipe (app.useGlobalPipes or @UsePipes).` });
        }
      }
    }
  },
});
