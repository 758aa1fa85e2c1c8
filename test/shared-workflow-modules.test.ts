import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { sharedWorkflowModules } from '../src/workflow-bundle-options';

// The modules every workflow of a worker shares (the bundler's preloadModules) are evaluated once, outside any
// workflow, and frozen. Their runtime imports, followed to the end, must stay pure: no Temporal module (the
// workflow modules hold a workflow's state; sharing one would leak it between workflows), no Node built-in.
const ALLOWED_PACKAGES = new Set(['superstruct', 'ms']);

/** The modules a source file imports at run time (type-only imports and exports are erased). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly || (!clause.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

function closure(entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) visit(require.resolve(resolve(dirname(file), spec)));
      else packages.set(spec, file);
    }
  };
  entries.forEach(visit);
  return { files, packages };
}

test('the shared workflow modules import nothing at run time but pure modules', () => {
  const { files, packages } = closure(sharedWorkflowModules());
  expect(files.size).toBeGreaterThanOrEqual(sharedWorkflowModules().length);
  const offending = [...packages].filter(([pkg]) => !ALLOWED_PACKAGES.has(pkg)).map(([pkg, file]) => `${pkg} (from ${file})`);
  expect(offending).toEqual([]);
});

test('the walk sees the imports that would disqualify a module', () => {
  const { packages } = closure([require.resolve('../src/workflows/owner/prefs')]);
  expect([...packages.keys()]).toContain('@temporalio/workflow');
  expect(runtimeImports(require.resolve('../src/workflows/pipeline/definition'))).not.toContain('@temporalio/common');
});
