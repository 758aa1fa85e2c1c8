import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeUiScreenshots, type UiPageShot, type UiScreenshots } from '../scripts/ui-screenshots';
import './helpers/environment'; // keeps the worker's log to real errors

// scripts/ui-screenshots.ts makes the README's pictures: a real dev server with its Web UI, a sync and a pipeline
// on the mock Airbyte, and Debian's headless Chromium. This checks the pages show what a user looks for.
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
let outDir: string;
let shots: UiScreenshots;

beforeAll(async () => {
  // No skipping: without a browser this test fails with the install script's own message.
  const install = spawnSync(process.execPath, ['scripts/install-chromium.mjs', '--quiet'], { cwd: join(__dirname, '..'), encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`scripts/install-chromium.mjs failed (${install.status ?? install.signal}):\n${install.stderr}`);
  outDir = mkdtempSync(join(tmpdir(), 'ui-screenshots-'));
  const codePath = process.env.TEMPORAL_TEST_BUNDLE;
  if (!codePath) throw new Error('test/setup/global-setup.ts did not run');
  shots = await takeUiScreenshots({ outDir, workerOptions: { workflowBundle: { codePath } } });
});
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** The page's text with the UI's blank lines and tabs folded, so that assertions read like the screen. */
const text = (page: UiPageShot | undefined): string => (page?.text ?? '').replace(/[\t ]*\n[\s]*/g, '\n');

test('every page is saved as a real, non-trivial PNG in the out dir', () => {
  const pages = Object.entries(shots.pages);
  expect(pages.map(([name]) => name).sort()).toEqual(['list', 'pipeline', 'sync', 'syncDetails']);
  for (const [name, page] of pages) {
    expect(page.file.startsWith(outDir)).toBe(true);
    const png = readFileSync(page.file);
    expect({ name, signature: png.subarray(0, 8) }).toEqual({ name, signature: PNG_SIGNATURE });
    expect({ name, bigEnough: png.length > 20_000 }).toEqual({ name, bigEnough: true });
    // IHDR: width and height, big-endian, right after the signature and the chunk header.
    expect({ name, width: png.readUInt32BE(16), tall: png.readUInt32BE(20) >= 600 }).toEqual({ name, width: page.file.endsWith('ui-list.png') ? 1920 : 1600, tall: true });
  }
});

test("the sync's page shows its workflow, connection, Airbyte job and status", () => {
  const page = text(shots.pages.sync);
  const { connectionId } = shots.connection;
  expect(shots.pages.sync.url).toMatch(/\/namespaces\/default\/workflows\/airbyte-sync%3Adefault%3A[^/]+\/[0-9a-f-]{36}\/history$/);
  expect(page).toContain(shots.sync.workflowId);
  expect(page).toContain(`"connectionId": "${connectionId}"`); // input and result
  expect(page).toContain(`"jobId": ${shots.sync.jobId},`);
  expect(page).toContain('"status": "succeeded"');
  expect(page).toMatch(/^COMPLETED$/m); // the status badge
  expect(page).toContain('Workflow Execution Completed');
  expect(page).toMatch(new RegExp(`Summary\\n[^\\n]*${connectionId}`)); // the start event's summary names the connection
  expect(shots.sync).toMatchObject({ status: 'succeeded' });
});

test("the sync's user metadata shows its summary and current details: the job, the connection and the outcome", () => {
  const { text: page, frames } = shots.pages.syncDetails;
  expect(page).toContain('Summary');
  expect(page).toContain('Current Details');
  expect(frames).toHaveLength(2); // summary, current details
  expect(frames[0]).toMatch(new RegExp(`^Airbyte sync of .*${shots.connection.connectionId}`));
  expect(frames[1]).toMatch(new RegExp(`\\bjob ${shots.sync.jobId}\\b`));
  expect(frames[1]).toContain(shots.connection.connectionId);
  expect(frames[1]).toMatch(/\bsucceeded\b/);
});

test("the pipeline's timeline shows the run, its steps by connection name, and that it completed", () => {
  const page = text(shots.pages.pipeline);
  expect(shots.pages.pipeline.url).toMatch(/\/timeline$/);
  expect(page).toContain(shots.pipeline.workflowId);
  expect(page).toMatch(/^COMPLETED$/m);
  expect(page).toContain(`"name": "${shots.pipeline.name}"`);
  expect(page).toContain('"status": "succeeded"');
  expect(page).toContain('Relationships\n3'); // the three child syncs
  for (const step of ['stripe', 'hubspot', 'reverse-etl']) expect(page).toContain(`pipeline step ${step}`);
  // The pipeline's input names its connections (the syncs' own pages show them by id only).
  for (const name of ['Stripe -> Warehouse', 'HubSpot -> Warehouse', 'Warehouse -> Salesforce']) expect(page).toContain(`"connection": "${name}"`);
  expect(shots.pipeline.steps.every((s) => typeof s.jobId === 'number')).toBe(true);
});

test("the list filtered by the connection's search attribute shows the sync and the pipeline's step", () => {
  const page = text(shots.pages.list);
  expect(shots.listQuery).toBe(`AirbyteConnectionId = '${shots.connection.connectionId}'`);
  expect(page).toContain(`AirbyteConnectionId = "${shots.connection.connectionId}"`); // the UI's filter chip
  expect(page).toContain(shots.sync.workflowId);
  expect(page).toContain(`${shots.pipeline.workflowId}/stripe`);
  expect(page).toContain('syncAndWait');
  expect(page).toContain('airbyteJobOwner'); // the owner carries the connection's attributes too
  expect(page).not.toContain(`${shots.pipeline.workflowId}/hubspot`);
  expect(page).toContain('Save as New');
});
