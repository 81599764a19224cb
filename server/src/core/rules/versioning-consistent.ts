import { defineRule } from './rule';
import type { SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import type { ExtractedRoute } from '../code/extract';
import { isOperationalPath, routeAnchor, serverVersions, templatePath, versionSegments } from './_idempotency';
import { rememberedByText } from '../text';

export default defineRule({
  id: 'versioning-consistent',
  severity: 'warning',
  description: 'Some routes versioned (`/v1/...`) and others not, or the version repeated in both the server URL and the path.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Keep one versioning scheme for the service", and "a one-off endpoint with a different error, auth, or pagination model is usually a contract bug" — the same holds for a route that escaped the version prefix. When \`/v1/orders\` sits next to \`/customers\`, clients cannot tell which version \`/customers\` belongs to, and the next breaking change has nowhere to go. Writing the version both in the server URL (or \`basePath\`, or a Nest global prefix) and in the paths yields \`/v1/v1/orders\`.

Not flagged: several versions side by side (\`/v1/orders\` and \`/v2/orders\`: "/v2 is not required for an additive change", but it is allowed for a breaking one), a server URL ending in \`/v1\` with unversioned paths (that is one place for the version), and operational endpoints that conventionally stay outside the version (\`/health\`, \`/metrics\`, \`/.well-known/...\`, \`/openapi.json\`, OAuth endpoints).`,
    bad: `paths:
  /v1/orders:
    get: { responses: { '200': { description: Orders } } }
  /customers:
    get: { responses: { '200': { description: Customers } } }`,
    good: `servers:
  - url: https://api.example.com/v1
paths:
  /orders:
    get: { responses: { '200': { description: Orders } } }
  /customers:
    get: { responses: { '200': { description: Customers } } }`,
    references: ['Semantic Versioning 2.0.0 (major versions for breaking changes)'],
  },
  checkSpec(context) {
    const servers = serverVersions(context);
    // The paths that hold an operation, read per path item.
    const paths = context.readPathItems('versioning-consistent', (scoped) => scoped.operations()[0]?.path)
      .filter((path): path is string => path !== undefined && !isOperationalPath(stripVersion(path)));
    if (paths.length === 0) return;
    const versioned = paths.filter((path) => versionSegments(path).length > 0);
    const unversioned = paths.filter((path) => versionSegments(path).length === 0);
    const serverVersion = servers && servers.length > 0 && servers.every((server) => server.version) ? servers[0] : undefined;

    if (serverVersion && versioned.length > 0) {
      if (unversioned.length === 0 && versioned.length > 1) {
        context.report({
          at: serverVersion.at,
          part: 'value',
          message: `The server URL '${serverVersion.url}' already carries '${serverVersion.version}' and every path repeats a version ('${versioned[0]}'); keep the version in one place.`,
          related: [{ at: ['paths', versioned[0]], message: 'the version repeated in a path' }],
        });
        return;
      }
      for (const path of versioned) {
        context.report({
          at: ['paths', path],
          message: `'${path}' repeats a version already in the server URL '${serverVersion.url}' (it resolves to …/${serverVersion.version}${path}); drop it from one of them.`,
          related: [{ at: serverVersion.at, message: `the server URL carries '${serverVersion.version}'` }],
        });
      }
      return;
    }
    for (const path of versioned) {
      if (versionSegments(path).length > 1) context.report({ at: ['paths', path], message: `'${path}' contains the version twice; keep a single version segment.` });
    }
    if (versioned.length === 0 || unversioned.length === 0) return;
    const reportUnversioned = versioned.length >= unversioned.length;
    const minority = reportUnversioned ? unversioned : versioned;
    const example = reportUnversioned ? versioned[0] : unversioned[0];
    for (const path of minority) {
      context.report({
        at: ['paths', path],
        message: reportUnversioned
          ? `'${path}' has no version segment while the rest of the API is versioned (like '${example}'); put it under the same version.`
          : `'${path}' is versioned while the rest of the API is not (like '${example}'); use one convention for every route.`,
        related: [{ at: ['paths', example], message: reportUnversioned ? 'a versioned path' : 'an unversioned path' }],
      });
    }
  },
  checkCode(context) {
    // CORS preflights and catch-alls (`app.options('*', cors())`, `app.all('*')`) are not API routes;
    // routes of another Express app in the workspace are another service.
    const own = context.allRoutes.find((route) => route.declaration.file === context.uri && route.app !== undefined)?.app;
    const routes = context.allRoutes.filter((route) => !codePathReading(route.path).operational
      && route.method !== 'options' && route.method !== 'all' && !/^\/?[*(]/.test(route.path)
      && (own === undefined || route.app === undefined || route.app === own));
    if (routes.length === 0) return;
    const local = (route: ExtractedRoute) => route.declaration.file === context.uri;
    for (const route of routes.filter(local)) {
      if (codePathReading(route.path).versions > 1) {
        context.report({ span: routeAnchor(context.source, route), message: `${route.method.toUpperCase()} ${route.path} contains the version twice (prefix and path); keep a single version segment.` });
      }
    }
    const versioned = routes.filter((route) => codePathReading(route.path).versions > 0);
    const unversioned = routes.filter((route) => codePathReading(route.path).versions === 0);
    if (versioned.length === 0 || unversioned.length === 0) return;
    const reportUnversioned = versioned.length >= unversioned.length;
    const minority = (reportUnversioned ? unversioned : versioned).filter(local);
    const example = (reportUnversioned ? versioned : unversioned)[0];
    const related = [{ uri: example.declaration.file, span: example.pathSpan ?? example.declaration, message: `${example.method.toUpperCase()} ${example.path}` }];
    // Nest: a whole controller outside the version is reported once, at its class.
    const byController = new Map<string, ExtractedRoute[]>();
    for (const route of minority) {
      const key = route.nestController ? `${route.nestController.span.start}` : `route:${route.declaration.start}`;
      byController.set(key, [...(byController.get(key) ?? []), route]);
    }
    for (const group of byController.values()) {
      const first = group[0];
      const controller = first.nestController;
      const wholeController = controller && routes.filter((route) => route.nestController?.span.start === controller.span.start && route.declaration.file === first.declaration.file).length === group.length;
      const what = wholeController ? `Controller ${controller.className} (${first.path})` : `${first.method.toUpperCase()} ${first.path}`;
      const message = reportUnversioned
        ? `${what} has no version segment while the rest of the API is versioned (like ${example.path}); put it under the same version.`
        : `${what} is versioned while the rest of the API is not (like ${example.path}); use one convention for every route.`;
      if (wholeController) context.report({ span: controller.span, message, related });
      else for (const route of group) context.report({ span: routeAnchor(context.source, route), message: message.replace(what, `${route.method.toUpperCase()} ${route.path}`), related });
    }
  },
});

/** What the check reads of a route's path: remembered, as every route is read on each keystroke. */
const codePathReading = rememberedByText((path: string) => {
  const template = templatePath(path);
  return Object.freeze({ operational: isOperationalPath(stripVersion(template)), versions: versionSegments(template).length });
});

/** `/v1/health` is as operational as `/health`; `/api/v1/metrics` too. */
function stripVersion(path: string): string {
  return path.replace(/^\/((api|rest)\/)?v\d+[^/]*/i, '') || '/';
}
