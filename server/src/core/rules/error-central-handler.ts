import { defineRule } from './rule';

export default defineRule({
  id: 'error-central-handler',
  severity: 'info',
  description: 'An Express app without one error-handling middleware (or with several answering different shapes); a NestJS app without a global exception filter while controllers build error bodies by hand.',
  appliesTo: ['express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide's framework rules: "Express — use one shared error-handling middleware path"; "NestJS — use exception filters or interceptors to normalize response and error behavior". Without one central place, every handler invents its own error body, unhandled errors fall through to the framework's HTML page (Express) or a default JSON shape, and stack traces leak. One error middleware (or one global filter) is where the service's single error format — preferably RFC 9457 problem details — is enforced.`,
    bad: `const app = express();
app.use('/users', usersRouter);
app.listen(3000); // no (err, req, res, next) handler`,
    good: `const app = express();
app.use('/users', usersRouter);
app.use(problemDetailsHandler); // (err, req, res, next) => res.type('application/problem+json')...
app.listen(3000);`,
    exampleLanguage: 'ts',
    references: ['Express: Error handling', 'NestJS: Exception filters', 'RFC 9457'],
  },
  checkCode(context) {
    const { facts } = context;
    const expressRoutes = context.allRoutes.filter((route) => route.framework === 'express');
    for (const entry of facts.entryPoints) {
      if (!context.isInFile(entry.span)) continue;
      if (entry.framework === 'express' && expressRoutes.length > 0 && facts.errorMiddleware.length === 0) {
        context.report({ span: entry.span, message: 'This Express app has no error-handling middleware: add one (err, req, res, next) handler that answers problem details, registered after the routes.' });
      }
      if (entry.framework === 'nest' && facts.globalFilters.length === 0) {
        const handBuilt = context.allRoutes.filter((route) => route.framework === 'nest' && route.statuses.some((s) => s.code >= 400 && s.body && s.body.kind !== 'problem' && s.via !== 'exception'));
        if (handBuilt.length > 0) {
          context.report({
            span: entry.span,
            message: `No global exception filter while ${handBuilt.length} controller method${handBuilt.length === 1 ? '' : 's'} build error bodies by hand; register one filter (app.useGlobalFilters or APP_FILTER) that answers problem details.`,
            related: handBuilt.slice(0, 5).map((route) => ({ uri: route.declaration.file, span: route.declaration, message: `${route.method.toUpperCase()} ${route.path} builds its own error body` })),
          });
        }
      }
    }
    // Several error middlewares that disagree on the shape.
    const shapes = new Set(facts.errorMiddleware.map((handler) => handler.problemDetails));
    if (shapes.size > 1) {
      for (const handler of facts.errorMiddleware) {
        if (handler.problemDetails || !context.isInFile(handler.span)) continue;
        context.report({ span: handler.span, message: 'This error middleware answers a different shape than the problem-details handler of the same app; keep one error path.' });
      }
    }
  },
});
