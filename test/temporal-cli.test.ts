import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localTemporalCliPath, resolveTemporalCli } from '../src/testing/temporal-cli';

function fakeBinary(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'temporal');
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

test('the Temporal CLI is found in order: TEMPORAL_CLI_PATH, PATH, the project-local install, then the SDK download', () => {
  const root = mkdtempSync(join(tmpdir(), 'cli-order-'));
  const explicit = fakeBinary(join(root, 'explicit'));
  const onPath = fakeBinary(join(root, 'on-path'));
  const project = join(root, 'project');
  fakeBinary(join(project, '.temporal-cli', 'bin'));

  expect(resolveTemporalCli({ TEMPORAL_CLI_PATH: explicit, PATH: join(root, 'on-path') }, project)).toEqual({ type: 'existing-path', path: explicit });
  expect(resolveTemporalCli({ PATH: join(root, 'on-path') }, project)).toEqual({ type: 'existing-path', path: onPath });
  expect(resolveTemporalCli({ PATH: join(root, 'nothing-here') }, project)).toEqual({ type: 'existing-path', path: localTemporalCliPath(project) });
  expect(resolveTemporalCli({ PATH: '' }, join(root, 'empty-project'))).toEqual({ type: 'cached-download' });
  expect(() => resolveTemporalCli({ TEMPORAL_CLI_PATH: join(root, 'missing') })).toThrow(/TEMPORAL_CLI_PATH points to .*missing, which does not exist/);
});
