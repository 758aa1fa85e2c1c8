// dbt activity inputs and outputs. Workflows import these as types only; nothing here may hold a secret.

export type DbtCommand = 'build' | 'run' | 'test';

export interface DbtRunInput {
  command: DbtCommand;
  /** Default: the activity options' `projectDir`. Relative paths resolve against the worker's cwd. */
  projectDir?: string;
  /**
   * Default: the activity options' `profilesDir`, else the project dir when it holds a profiles.yml,
   * else dbt's own lookup (DBT_PROFILES_DIR, ~/.dbt).
   */
  profilesDir?: string;
  /** dbt node selection: `--select a b`. */
  select?: string[];
  /** `--exclude a b`. */
  exclude?: string[];
  /** `--vars '<json>'`. */
  vars?: Record<string, unknown>;
  /** A target of the profile: `--target`. */
  target?: string;
  /** `--full-refresh` (build and run only). */
  fullRefresh?: boolean;
  threads?: number;
}

export interface DbtNodeResult {
  /** dbt's unique_id, e.g. `model.my_project.customers`. */
  uniqueId: string;
  /** The node's name: the last segment of the unique_id, without the hash dbt appends to generic tests. */
  name: string;
  /** model, test, seed, snapshot... (the first segment of the unique_id). */
  resourceType: string;
  /** As dbt reports it: success, error, skipped, pass, fail, warn, runtime error, no-op... */
  status: string;
  executionTimeS: number;
  message?: string;
  /** Rows a test found (tests only). */
  failures?: number;
}

export interface DbtRunResult {
  command: string;
  /** True when dbt exited 0 and no node errored or failed; warn and skipped do not count as failures. */
  success: boolean;
  nodes: DbtNodeResult[];
  /** dbt's own elapsed_time, or the wall time of the process when dbt wrote no run_results.json. */
  elapsedS: number;
  invocationId?: string;
}

export interface DbtActivityOptions {
  /** Path of the dbt executable; see resolveDbtExecutable for the fallbacks. */
  dbtExecutable?: string;
  projectDir?: string;
  profilesDir?: string;
  /**
   * Variables for dbt only (e.g. warehouse credentials), over everything else. Never logged: their values are
   * masked in dbt's output, heartbeats, failures and results.
   */
  env?: Record<string, string>;
  /**
   * Variables of the worker's environment dbt also gets, by exact name (e.g. `['SNOWFLAKE_PASSWORD']`); their
   * values are masked as `env`'s are. dbt never gets the worker's whole environment: only PATH, HOME, LANG,
   * LANGUAGE, LC_*, TZ, TMPDIR/TMP/TEMP (and the system variables on Windows), DBT_* and PYTHONUNBUFFERED,
   * then these, then `env`. AIRBYTE_*, TEMPORAL_* and the rest stay with the worker.
   */
  inheritEnv?: string[];
  /**
   * The only project dirs dbt may run in (besides `projectDir`): a `projectDir` in the input that is not one of
   * them fails with DbtInvalidInput before anything is read or spawned, and so does a `profilesDir` that is neither
   * `profilesDir` nor one of them. Unset: any dbt project on the worker's disk.
   */
  allowedProjects?: string[];
  /** How often to heartbeat while dbt runs (default 5000). Cancellation only arrives through heartbeats. */
  heartbeatIntervalMs?: number;
  /** How long dbt gets to stop after SIGTERM before its process group is killed (default 5000). */
  killGraceMs?: number;
}

/** The heartbeat details while dbt runs: shows progress and lets a heartbeat timeout catch a lost worker. */
export interface DbtProgress {
  pid?: number;
  /** Non-blank output lines seen so far. */
  lines: number;
  lastLine?: string;
}
