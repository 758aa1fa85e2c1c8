// Screenshots of a sync and a pipeline in the Temporal Web UI, for the README (docs/images/*.png):
//   node scripts/install-chromium.mjs && npx tsx scripts/ui-screenshots.ts [--out docs/images] [--text]
// Runs a dev server with its UI, the mock Airbyte and a worker (AirbyteTestEnvironment), one sync and one small
// pipeline, then drives Debian's headless Chromium with playwright-core. playwright-core is a devDependency:
// this module lives in scripts/ so that nothing the package ships imports it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { AirbyteTestEnvironment, freePort, type AirbyteTestEnvironmentOptions, type MockConnectionScript } from '../src/testing';
import { AirbyteSearchAttributes } from '../src/workflows/search-attributes';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface UiScreenshotOptions {
  /** Where the PNGs go (created if missing). */
  outDir: string;
  /** Default /usr/bin/chromium (Debian's package, see scripts/install-chromium.mjs). */
  executablePath?: string;
  /** Passed to the worker, e.g. a prebuilt `workflowBundle` so that a test does not bundle the workflows again. */
  workerOptions?: AirbyteTestEnvironmentOptions['workerOptions'];
  /** How long to wait for the UI to show what is expected on a page. Default 60 s. */
  pageTimeoutMs?: number;
}

export interface UiPageShot {
  url: string;
  /** What a user sees once the page rendered: `innerText` of the body, then of each iframe. */
  text: string;
  /** `innerText` of each iframe in document order: the UI renders markdown (summary, details) in iframes. */
  frames: string[];
  file: string;
}

export interface UiScreenshots {
  connection: { connectionId: string; name: string };
  sync: { workflowId: string; runId: string; jobId: number; status: string };
  pipeline: { name: string; workflowId: string; runId: string; steps: { id: string; connectionId?: string; jobId?: number }[] };
  /** The visibility query of the list page. */
  listQuery: string;
  /** `list` is missing when the server does not know the Airbyte search attributes. */
  pages: { sync: UiPageShot; syncDetails: UiPageShot; pipeline: UiPageShot; list?: UiPageShot };
}

// The machine's network may be closed and the browser must not phone home; as root Chromium only starts unsandboxed.
const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

// Wide enough that the UI does not truncate the header's times.
const VIEWPORT = { width: 1600, height: 1000 };

// Jobs of a second or two, checked often: the pictures show a whole run without making anyone wait.
const POLL = { initialInterval: '200ms', maxInterval: '500ms' } as const;
const script = (records: number, bytes: number): MockConnectionScript => ({
  phases: [
    { status: 'pending', ms: 200 },
    { status: 'running', ms: 1_200 },
  ],
  streams: [
    { name: 'customers', records: Math.round(records / 4), bytes: Math.round(bytes / 4) },
    { name: 'invoices', records: records - Math.round(records / 4), bytes: bytes - Math.round(bytes / 4) },
  ],
});

/**
 * The UI's path of one tab of a workflow run (temporalio/ui `routeForWorkflow`: the id is URI-component encoded),
 * e.g. `history`, `timeline`, `relationships`, `user-metadata`, `search-attributes`.
 */
export function workflowPath(namespace: string, workflowId: string, runId: string, tab = 'history'): string {
  return `/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/${tab}`;
}

/** The UI's path of the workflow list filtered by a visibility query (`routeForWorkflowsWithQuery`). */
export function workflowListPath(namespace: string, query: string): string {
  return `/namespaces/${encodeURIComponent(namespace)}/workflows?${new URLSearchParams({ query }).toString()}`;
}

/** Runs a sync and a pipeline on a fresh dev server with its UI and saves screenshots of their pages. */
export async function takeUiScreenshots(options: UiScreenshotOptions): Promise<UiScreenshots> {
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const timeout = options.pageTimeoutMs ?? 60_000;
  const env = await AirbyteTestEnvironment.start({
    // A port of our own: the CLI's default (gRPC port + 1000) may be taken by another server on the machine.
    temporal: { ui: true, uiPort: await freePort() },
    workerOptions: options.workerOptions,
  });
  let browser: Browser | undefined;
  try {
    const namespace = env.temporal.namespace ?? 'default';
    const stripe = env.mock.addConnection({ name: 'Stripe -> Warehouse', script: script(6_050, 2_560_000) });
    const hubspot = env.mock.addConnection({ name: 'HubSpot -> Warehouse', script: script(3_200, 1_100_000) });
    const reverse = env.mock.addConnection({ name: 'Warehouse -> Salesforce', script: script(900, 310_000) });

    const syncHandle = await env.syncs.startSync({ connectionId: stripe.connectionId, poll: POLL, searchAttributes: true });
    const syncResult = await env.syncs.result(syncHandle.workflowId);
    const jobId = syncResult.jobId;
    if (jobId === undefined) throw new Error(`sync ${syncHandle.workflowId} ended without an Airbyte job`);

    // Two syncs in parallel, then one that needs both (a reverse ETL of what they loaded).
    const pipelineName = 'nightly-crm';
    const pipelineHandle = await env.syncs.startPipeline({
      name: pipelineName,
      searchAttributes: true,
      steps: [
        { id: 'stripe', kind: 'sync', connection: stripe.name, poll: POLL },
        { id: 'hubspot', kind: 'sync', connection: hubspot.name, poll: POLL },
        { id: 'reverse-etl', kind: 'sync', connection: reverse.name, poll: POLL, dependsOn: ['stripe', 'hubspot'] },
      ],
    });
    const pipelineResult = await env.syncs.pipelineResult(pipelineHandle.workflowId);

    // The list shows what visibility has indexed, which may lag the workflows' ends: wait for both syncs of Stripe.
    const listQuery = `${AirbyteSearchAttributes.connectionId.name} = '${stripe.connectionId}'`;
    const searchable = (await syncHandle.describe()).typedSearchAttributes.get(AirbyteSearchAttributes.connectionId) === stripe.connectionId;
    if (searchable) await until(async () => (await env.client.workflow.count(`${listQuery} AND WorkflowType = 'syncAndWait'`)).count >= 2, `visibility to index ${listQuery}`, timeout);

    browser = await chromium.launch({ executablePath: options.executablePath ?? CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', timezoneId: 'UTC', locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    const url = (path: string) => `${env.uiUrl as string}${path}`;
    const file = (name: string) => join(outDir, name);
    const sync = (tab: string) => url(workflowPath(namespace, syncHandle.workflowId, syncHandle.firstExecutionRunId, tab));

    const pages: UiScreenshots['pages'] = {
      sync: await shoot(page, {
        url: sync('history'),
        file: file('ui-sync.png'),
        expect: (p) => [p.getByRole('heading', { name: syncHandle.workflowId }), p.getByText(`"jobId": ${jobId},`), p.getByText('Workflow Execution Completed')],
      }),
      // Summary and current details are markdown, which the UI renders in iframes.
      syncDetails: await shoot(page, {
        url: sync('user-metadata'),
        file: file('ui-sync-details.png'),
        viewport: { width: 1600, height: 640 },
        expect: (p) => [
          p.locator('iframe').first().contentFrame().getByText(stripe.connectionId),
          p.locator('iframe').last().contentFrame().getByText('succeeded'), // the details once the job ended
        ],
      }),
      pipeline: await shoot(page, {
        url: url(workflowPath(namespace, pipelineHandle.workflowId, pipelineHandle.firstExecutionRunId, 'timeline')),
        file: file('ui-pipeline.png'),
        viewport: { width: 1600, height: 1100 }, // tall enough for the timeline below the input and result
        expect: (p) => [p.getByRole('heading', { name: pipelineHandle.workflowId }), ...['stripe', 'hubspot', 'reverse-etl'].map((step) => p.getByText(`pipeline step ${step}`))],
      }),
    };
    if (searchable) {
      pages.list = await shoot(page, {
        url: url(workflowListPath(namespace, listQuery)),
        file: file('ui-list.png'),
        viewport: { width: 1920, height: 640 }, // wide enough for the Type, Start and End columns
        expect: (p) => [p.getByText(syncHandle.workflowId, { exact: true }), p.getByText(`${pipelineHandle.workflowId}/stripe`, { exact: true })],
      });
    }

    return {
      connection: { connectionId: stripe.connectionId, name: stripe.name },
      sync: { workflowId: syncHandle.workflowId, runId: syncHandle.firstExecutionRunId, jobId, status: syncResult.status },
      pipeline: {
        name: pipelineName,
        workflowId: pipelineHandle.workflowId,
        runId: pipelineHandle.firstExecutionRunId,
        steps: pipelineResult.steps.map((s) => ({ id: s.id, connectionId: s.connectionId, jobId: s.jobId })),
      },
      listQuery,
      pages,
    };
  } finally {
    await browser?.close();
    await env.close();
  }
}

interface Shot {
  url: string;
  file: string;
  /** What must be visible before the picture is taken. */
  expect: (page: Page) => Locator[];
  viewport?: { width: number; height: number };
}

/** Opens the page, waits until everything expected is visible, saves a screenshot and reads the page's text. */
async function shoot(page: Page, shot: Shot): Promise<UiPageShot> {
  await page.setViewportSize(shot.viewport ?? VIEWPORT);
  await page.goto(shot.url, { waitUntil: 'domcontentloaded' });
  for (const locator of shot.expect(page)) await locator.first().waitFor({ state: 'visible' });
  // Later requests (counts, the SDK badge, fonts) still change the layout after the main content is there.
  await page.waitForLoadState('networkidle');
  await page.evaluate('document.fonts.ready.then(() => undefined)'); // a string: tsconfig has no DOM lib
  await page.screenshot({ path: shot.file, animations: 'disabled' });
  const body = await page.innerText('body');
  const frames = await Promise.all((await page.locator('iframe').all()).map((iframe) => iframe.contentFrame().locator('body').innerText().then((t) => t.trim())));
  return { url: shot.url, text: [body, ...frames].join('\n'), frames, file: shot.file };
}

/** Polls a condition outside this process (Temporal's visibility store sends no event to wait for). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; !(await check()); attempt++) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 500)));
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--out');
  const outDir = i >= 0 ? process.argv[i + 1] : 'docs/images';
  if (!outDir || outDir.startsWith('--')) throw new Error('usage: npx tsx scripts/ui-screenshots.ts [--out <dir>] [--text]');
  Runtime.install({ logger: new DefaultLogger('WARN') }); // our lines, not the worker's chatter
  const shots = await takeUiScreenshots({ outDir });
  for (const [name, shot] of Object.entries(shots.pages)) {
    console.log(`${name}: ${shot.file}\n  ${shot.url}`);
    if (process.argv.includes('--text')) console.log(shot.text.replace(/\n\s*\n/g, '\n'));
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
