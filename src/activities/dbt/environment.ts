/**
 * What dbt's process sees of the worker's environment. Never the whole of it: a worker holds Airbyte
 * credentials (AIRBYTE_*), Temporal's API key and whatever else its deployment put there, and a dbt
 * project can read any variable it is given (`env_var()` in a model, a macro or a profile).
 */

/** What a Python program needs to start and find its files, locale and temporary directory. */
const BASE_NAMES = ['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TMP', 'TEMP'] as const;
/** Without these, Python on Windows cannot start sockets, find its home or run subprocesses. */
const WINDOWS_NAMES = ['SYSTEMROOT', 'WINDIR', 'COMSPEC', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA', 'SYSTEMDRIVE'] as const;
/** dbt's own settings: DBT_PROFILES_DIR, DBT_TARGET_PATH, DBT_SEND_ANONYMOUS_USAGE_STATS, DBT_ENV_SECRET_*... */
const DBT_PREFIX = 'DBT_';
/** Values dbt itself treats as secrets (it scrubs them from its logs); we mask them too. */
const DBT_SECRET_PREFIX = 'DBT_ENV_SECRET_';

export interface DbtEnvironmentOptions {
  /** Set for dbt only, over everything else (e.g. warehouse credentials). Treated as secrets. */
  env?: Readonly<Record<string, string>>;
  /** More variables of the worker's environment that dbt gets, by exact name. Treated as secrets. */
  inheritEnv?: readonly string[];
}

export interface DbtEnvironment {
  /** dbt's whole environment. */
  env: Record<string, string>;
  /** The values to mask in everything that leaves the worker (logs, heartbeats, failures, results). */
  secrets: string[];
}

/**
 * dbt's environment: the basics (PATH, HOME, LANG, LC_*, TZ, TMPDIR; the system variables on Windows), the
 * worker's DBT_* variables, exactly the variables named by `inheritEnv`, PYTHONUNBUFFERED=1 unless the worker
 * sets it, and last the `env` option.
 */
export function dbtEnvironment(workerEnv: NodeJS.ProcessEnv, options: DbtEnvironmentOptions = {}): DbtEnvironment {
  const windows = process.platform === 'win32';
  // Windows variable names are case-insensitive: compare them upper-cased there.
  const key = (name: string) => (windows ? name.toUpperCase() : name);
  const named = new Set<string>([...BASE_NAMES, ...(windows ? WINDOWS_NAMES : []), 'PYTHONUNBUFFERED'].map(key));
  const inherited = new Set((options.inheritEnv ?? []).map(key));

  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(workerEnv)) {
    if (value === undefined) continue;
    const k = key(name);
    const wanted = named.has(k) || inherited.has(k) || k.startsWith('LC_') || k.startsWith(DBT_PREFIX);
    if (!wanted) continue;
    env[name] = value;
    if (inherited.has(k) || k.startsWith(DBT_SECRET_PREFIX)) secrets.push(value);
  }
  env.PYTHONUNBUFFERED ??= '1';
  for (const [name, value] of Object.entries(options.env ?? {})) {
    env[name] = value;
    secrets.push(value);
  }
  return { env, secrets };
}

/** Checks the `inheritEnv` option when the activity is built: an array of variable names. */
export function checkInheritEnv(names: unknown): readonly string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) {
    throw new Error(`dbt activity option inheritEnv must be an array of environment variable names, got ${JSON.stringify(names)}`);
  }
  return names;
}
