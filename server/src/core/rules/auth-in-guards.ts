import ts from 'typescript';
import { defineRule } from './rule';
import { calleeName, forEachDescendant } from '../code/ast';

const ROLE_CHECK = /\b(roles?|permissions?|scopes?|isAdmin|is_admin|admin|can[A-Z]\w*|hasRole|hasPermission|hasScope|ability)\b/;

export default defineRule({
  id: 'auth-in-guards',
  severity: 'info',
  description: 'A role or permission check written inline in a NestJS controller method instead of a guard.',
  appliesTo: ['nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "NestJS — keep controllers thin, move auth into guards" and "Define scope or role boundaries at the API boundary, not ad hoc inside random handlers". A role check in a method body is invisible to reviewers scanning decorators, easy to forget on the next endpoint, and runs after the pipes have already done work. A guard (\`@UseGuards(RolesGuard)\` with \`@Roles('admin')\`) states the rule where the route is declared and applies it the same way everywhere. Ownership checks that need the loaded resource ("is this your order?") may stay in the service; this rule looks for role, permission and scope checks.`,
    bad: `@Delete(':id')
remove(@Req() req, @Param('id') id: string) {
  if (!req.user.roles.includes('admin')) throw new ForbiddenException();
  return this.users.remove(id);
}`,
    good: `@Delete(':id')
@UseGuards(RolesGuard)
@Roles('admin')
remove(@Param('id') id: string) {
  return this.users.remove(id);
}`,
    exampleLanguage: 'ts',
    references: ['NestJS: Guards (role-based authentication)'],
  },
  checkCode(context) {
    for (const route of context.routes()) {
      if (route.framework !== 'nest' || !route.handlerNode || !ts.isMethodDeclaration(route.handlerNode) || !route.handlerNode.body) continue;
      forEachDescendant(route.handlerNode.body, (node) => {
        if (!ts.isIfStatement(node)) return undefined;
        const condition = node.expression.getText(context.source);
        if (!ROLE_CHECK.test(condition)) return undefined;
        let deniesAccess = false;
        forEachDescendant(node.thenStatement, (inner) => {
          if (ts.isThrowStatement(inner) && inner.expression && ts.isNewExpression(inner.expression) && /^(Forbidden|Unauthorized)Exception$/.test(calleeName(inner.expression.expression))) deniesAccess = true;
          return undefined;
        });
        if (ts.isThrowStatement(node.thenStatement) && node.thenStatement.expression && ts.isNewExpression(node.thenStatement.expression) && /^(Forbidden|Unauthorized)Exception$/.test(calleeName(node.thenStatement.expression.expression))) deniesAccess = true;
        if (!deniesAccess) return undefined;
        context.report({ span: node.expression, message: `Role/permission check inside ${route.handler?.name ?? 'the controller method'}: move it into a guard (@UseGuards(RolesGuard) with @Roles(...)) so the rule is declared with the route.` });
        return 'skip';
      });
    }
  },
});
