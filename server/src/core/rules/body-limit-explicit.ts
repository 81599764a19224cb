import { defineRule } from './rule';
import { codeStyle } from './_code-edits';

export default defineRule({
  id: 'body-limit-explicit',
  severity: 'info',
  description: 'A body parser with no explicit size limit (`express.json()`, Nest\'s default parser).',
  appliesTo: ['express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide: "Set timeouts and body limits at the framework, proxy, and client layers." A body parser's default limit is an accident of the library version (100 kB for Express, which Nest inherits) rather than a decision about what this API accepts. Write the limit down where the parser is registered, so a reviewer sees it and an upload endpoint that needs more says so explicitly (413 Content Too Large, RFC 9110 §15.5.14, is the answer beyond it).`,
    bad: `app.use(express.json());`,
    good: `app.use(express.json({ limit: '100kb' }));`,
    exampleLanguage: 'ts',
    references: ['RFC 9110 §15.5.14 413 Content Too Large', 'Express body-parser `limit` option'],
  },
  checkCode(context) {
    for (const parser of context.facts.bodyParsers) {
      if (parser.hasLimit || !context.isInFile(parser.span)) continue;
      const text = context.text(parser.span);
      const isNestDefault = parser.name.startsWith('NestFactory');
      context.report({
        span: parser.span,
        message: isNestDefault
          ? "NestFactory.create uses the default JSON body parser with an implicit limit; set one explicitly with app.useBodyParser('json', { limit: '100kb' })."
          : `${parser.name}() has no explicit size limit; pass { limit: '100kb' } (or what this API really accepts).`,
        fix: isNestDefault ? undefined : {
          title: "Add { limit: '100kb' }",
          isPreferred: true,
          edits: () => {
            const open = text.indexOf('(');
            const inner = text.slice(open + 1, text.lastIndexOf(')')).trim();
            if (inner === '') return [{ uri: context.uri, start: parser.span.start + open + 1, end: parser.span.start + open + 1, newText: "{ limit: '100kb' }" }];
            const brace = text.indexOf('{', open);
            if (brace < 0) return [];
            const { quote } = codeStyle(context.source);
            const spaced = text[brace + 1] === ' ' || text[brace + 1] === '\n';
            return [{ uri: context.uri, start: parser.span.start + brace + 1, end: parser.span.start + brace + 1, newText: `${spaced ? ' ' : ''}limit: ${quote}100kb${quote},${spaced ? '' : ' '}`.replace(/^ /, ' ') }];
          },
        },
      });
    }
  },
});
