import { defineRule } from './rule';

export default defineRule({
  id: 'keep-alive-timeout',
  severity: 'info',
  description: "An HTTP server whose keep-alive timeout is left at Node's default (5 s), shorter than a load balancer's idle timeout.",
  appliesTo: ['express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide: "Set HTTP keep-alive timeout shorter than any upstream idle timeout" is the usual phrasing, but what matters is the order of closing: if the load balancer holds a connection the server already closed, its next request hits a dead socket and the client sees a 502. Node closes idle keep-alive connections after 5 s; load balancers keep them 60 s (AWS ALB) or more. The safe pair is a server keep-alive of 65 s behind a 60 s load-balancer idle timeout (and \`headersTimeout\` a little above it).`,
    bad: `const server = app.listen(3000);`,
    good: `const server = app.listen(3000);
server.keepAliveTimeout = 65_000; // longer than the load balancer's 60 s idle timeout
server.headersTimeout = 66_000;`,
    exampleLanguage: 'ts',
    references: ['Node.js http.Server keepAliveTimeout', 'AWS ALB idle timeout (60 s default)'],
  },
  checkCode(context) {
    for (const entry of context.facts.entryPoints) {
      if (!context.isInFile(entry.span) || entry.keepAliveTimeout !== undefined) continue;
      const text = context.source.text;
      const assigned = new RegExp(`(?:const|let|var)\\s+(\\w+)\\s*=\\s*(?:await\\s+)?[\\w.]+\\.listen\\(`).exec(text.slice(Math.max(0, entry.span.start - 200), entry.span.end + 1));
      const lineEnd = text.indexOf('\n', entry.span.end);
      const indent = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', entry.span.start) + 1))![0];
      const semi = /;\s*$/.test(text.slice(entry.span.end, lineEnd < 0 ? text.length : lineEnd)) ? ';' : '';
      context.report({
        span: entry.span,
        message: "The server's keep-alive timeout is Node's 5 s default: set server.keepAliveTimeout above the load balancer's idle timeout (e.g. 65_000 behind 60 s).",
        fix: assigned ? {
          title: 'Set keepAliveTimeout to 65 s',
          isPreferred: true,
          edits: () => [{ uri: context.uri, start: lineEnd < 0 ? text.length : lineEnd, end: lineEnd < 0 ? text.length : lineEnd, newText: `\n${indent}// Longer than the load balancer's idle timeout (60 s), so it never reuses a socket we closed.\n${indent}${assigned[1]}.keepAliveTimeout = 65_000${semi}\n${indent}${assigned[1]}.headersTimeout = 66_000${semi}` }],
        } : undefined,
      });
    }
  },
});
