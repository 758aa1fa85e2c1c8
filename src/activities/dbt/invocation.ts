import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { invalidInput } from './failures';
import type { DbtActivityOptions, DbtCommand, DbtRunInput } from './types';

const COMMANDS: readonly DbtCommand[] = ['build', 'run', 'test'];

/** A checked input with its directories resolved. */
export interface DbtInvocation extends DbtRunInput {
  projectDir: string;
  /** Undefined: leave the profiles lookup to dbt. */
  profilesDir?: string;
}

/** Rejects bad input with a DbtInvalidInput failure before anything is spawned. */
export function validateDbtInput(input: DbtRunInput, options: DbtActivityOptions): DbtInvocation {
  if (!COMMANDS.includes(input.command)) {
    throw invalidInput(`unknown dbt command '${String(input.command)}': expected one of ${COMMANDS.join(', ')}`);
  }
  checkSelectors('select', input.select);
  checkSelectors('exclude', input.exclude);
  if (input.threads !== undefined && !(Number.isInteger(input.threads) && input.threads > 0)) {
    throw invalidInput(`threads must be a positive integer, got ${input.threads}`);
  }
  if (input.target !== undefined && !isArgument(input.target)) {
    throw invalidInput(`target must be a non-empty name not starting with '-', got '${input.target}'`);
  }
  if (input.fullRefresh && input.command === 'test') throw invalidInput('fullRefresh does not apply to dbt test');
  if (input.vars !== undefined) checkVars(input.vars);

  const projectSetting = input.projectDir ?? options.projectDir;
  if (!projectSetting) throw invalidInput('no dbt project dir: set projectDir in the input or in the dbt activity options');
  const projectDir = resolve(projectSetting);
  const allowed = allowedProjects(options);
  // Checked before the disk is looked at: a refused caller learns nothing about which directories exist.
  if (allowed && !allowed.has(projectDir)) {
    throw invalidInput(`dbt project dir ${projectDir} is not allowed on this worker: it is not in the worker's allowedDbtProjects`);
  }
  if (allowed && input.profilesDir !== undefined) {
    const profiles = resolve(input.profilesDir);
    if (!allowed.has(profiles) && !(options.profilesDir !== undefined && resolve(options.profilesDir) === profiles)) {
      throw invalidInput(`dbt profiles dir ${profiles} is not allowed on this worker: it is neither the worker's profilesDir nor one of its allowedDbtProjects`);
    }
  }
  if (!isDirectory(projectDir)) throw invalidInput(`dbt project dir ${projectDir} does not exist or is not a directory`);
  if (!existsSync(join(projectDir, 'dbt_project.yml'))) throw invalidInput(`${projectDir} is not a dbt project: it has no dbt_project.yml`);

  const profilesSetting = input.profilesDir ?? options.profilesDir;
  let profilesDir: string | undefined;
  if (profilesSetting) {
    profilesDir = resolve(profilesSetting);
    if (!isDirectory(profilesDir)) throw invalidInput(`dbt profiles dir ${profilesDir} does not exist or is not a directory`);
  } else if (existsSync(join(projectDir, 'profiles.yml'))) {
    profilesDir = projectDir;
  }
  return { ...input, projectDir, profilesDir };
}

/** dbt's command line. An argument array, never a shell string: selectors and vars reach dbt verbatim. */
export function buildDbtArgs(inv: DbtInvocation, paths: { targetPath: string; logPath?: string }): string[] {
  const args = [inv.command, '--project-dir', inv.projectDir];
  if (inv.profilesDir) args.push('--profiles-dir', inv.profilesDir);
  args.push('--target-path', paths.targetPath);
  if (paths.logPath) args.push('--log-path', paths.logPath);
  if (inv.select?.length) args.push('--select', ...inv.select);
  if (inv.exclude?.length) args.push('--exclude', ...inv.exclude);
  if (inv.vars && Object.keys(inv.vars).length) args.push('--vars', JSON.stringify(inv.vars));
  if (inv.target) args.push('--target', inv.target);
  if (inv.threads) args.push('--threads', String(inv.threads));
  if (inv.fullRefresh) args.push('--full-refresh');
  return args;
}

/** The allowed project dirs, resolved, or undefined when any project may run. The default project always may. */
function allowedProjects(options: DbtActivityOptions): Set<string> | undefined {
  if (options.allowedProjects === undefined) return undefined;
  return new Set([...options.allowedProjects, ...(options.projectDir === undefined ? [] : [options.projectDir])].map((dir) => resolve(dir)));
}

function checkSelectors(option: 'select' | 'exclude', values: unknown): void {
  if (values === undefined) return;
  if (!Array.isArray(values)) throw invalidInput(`${option} must be an array of dbt selectors`);
  values.forEach((value: unknown, i) => {
    // A leading '-' would be read as another dbt flag.
    if (typeof value !== 'string' || !isArgument(value)) {
      throw invalidInput(`${option}[${i}] must be a non-empty dbt selector not starting with '-', got ${JSON.stringify(value)}`);
    }
  });
}

function checkVars(vars: unknown): void {
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) throw invalidInput('vars must be an object of dbt vars');
  try {
    JSON.stringify(vars);
  } catch (err) {
    throw invalidInput(`vars cannot be passed to dbt as JSON: ${(err as Error).message}`);
  }
}

function isArgument(value: string): boolean {
  return value.trim() !== '' && !value.startsWith('-');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
