import { MockActivityEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { createAirbyteActivities, type AirbyteActivities } from '../src/activities';
import { compileNamePattern, MAX_NAME_PATTERN_SIZE, NamePatternError, namePatternProblem } from '../src/common/name-pattern';
import { MockAirbyteServer } from '../src/testing';
import { checkPipeline, findGraphProblem, PIPELINE_LIMITS, type PipelineDefinition, type PipelineStep } from '../src/workflows/pipeline/definition';

// The pipeline definition check (client and workflow) and the workspace steps' name patterns, without a worker:
// unit tests for each bound, and property tests over generated definitions, valid and not.

const UUID_A = '4c1e3a52-8f4e-4e8a-9d6c-2a1b3c4d5e6f';
const sync = (id: string, dependsOn?: string[], extra: object = {}): PipelineStep => ({ id, kind: 'sync', connectionId: UUID_A, ...(dependsOn ? { dependsOn } : {}), ...extra });
const pipeline = (steps: unknown[], extra: object = {}): unknown => ({ name: 'p', steps, ...extra });
const messageOf = (input: unknown): string => {
  const check = checkPipeline(input);
  if (check.ok) throw new Error(`expected ${JSON.stringify(input).slice(0, 200)} to be refused`);
  return check.message;
};
/** At most 2 steps per automaton state and character (closure, then transition), plus the restarts. */
const stepBound = (size: number, name: string) => 2 * size * ([...name].length + 1);

describe('name patterns', () => {
  test.each<[string, string, boolean]>([
    ['-prod$', 'stripe-prod', true],
    ['-prod$', 'stripe-prod-2', false],
    ['^stripe', 'stripe -> warehouse', true],
    ['^stripe', 'my stripe', false],
    ['stripe|hubspot', 'hubspot -> warehouse', true],
    ['^(?:stripe|hubspot)-(dev|prod)$', 'hubspot-dev', true],
    ['^(?<source>\\w+) -> warehouse$', 'postgres -> warehouse', true],
    ['\\bprod\\b', 'eu prod db', true],
    ['\\bprod\\b', 'production', false],
    ['\\Bprod', 'preprod', true],
    ['^[a-c]+\\d{2,3}$', 'abc12', true],
    ['^[a-c]+\\d{2,3}$', 'abc1234', false],
    ['^[^-]+$', 'no-dash', false],
    ['[\\d-]x', '-x', true],
    ['a.c', 'a\nc', false],
    ['\\x41\\u0042\\u{43}\\t', 'ABC\t', true],
    ['\\cJ', '\n', true],
    ['{stream}', 'x{stream}', true],
    ['a{,2}', 'a{,2}', true],
    ['(?i)STRIPE', 'Stripe Prod', true],
    ['(?i)[A-C]x', 'bX', true],
    ['[^a]', 'A', true],
    ['(?i)[^a]', 'A', false],
    ['^.$', '😀', true],
    ['', 'anything', true],
    ['glob:*-prod', 'stripe-prod', true],
    ['glob:*-prod', 'stripe-prod-2', false],
    ['glob:stripe-*', 'stripe-dev', true],
    ['glob:stripe-*', 'my stripe-dev', false],
    ['glob:db-?', 'db-1', true],
    ['glob:db-?', 'db-12', false],
    ['glob:db-[0-9]', 'db-7', true],
    ['glob:db-[!0-9]', 'db-7', false],
    ['glob:db-[^0-9]', 'db-x', true],
    ['glob:[]]', ']', true],
    ['glob:a\\*', 'a*', true],
    ['glob:a\\*', 'ab', false],
    ['glob:*', '', true],
    ['glob:a.b', 'axb', false],
  ])('%s on %j: %s', (pattern, name, expected) => {
    expect(compileNamePattern(pattern).test(name)).toBe(expected);
  });

  test.each<[string, RegExp]>([
    ['(a)\\1', /back-references \(\\1\) are not supported at character 4/],
    ['(?<x>a)\\k<x>', /back-references \(\\k<name>\)/],
    ['a(?=b)', /lookahead .* at character 2/],
    ['a(?!b)', /lookahead/],
    ['(?<=a)b', /lookbehind/],
    ['(?<!a)b', /lookbehind/],
    ['\\p{L}', /Unicode property escapes/],
    ['(abc', /missing '\)' for the group opened at character 1/],
    ['abc)', /unmatched '\)' at character 4/],
    ['[abc', /missing '\]'/],
    ['[z-a]', /range out of order/],
    ['*a', /nothing to repeat at character 1/],
    ['a**', /two quantifiers in a row/],
    ['a{2}{3}', /two quantifiers in a row/],
    ['^*', /nothing to repeat/],
    ['{2}', /nothing to repeat/],
    ['a{3,2}', /numbers out of order/],
    ['a{1001}', /repetition count above 1000/],
    ['(a{1000}){10}', new RegExp(`more than ${MAX_NAME_PATTERN_SIZE} states`)],
    ['a(?i)b', /only allowed at the very start/],
    ['(?m)a', /unsupported group/],
    ['\\q', /unknown escape \\q/],
    ['\\A', /unknown escape \\A/],
    ['\\01', /octal/],
    ['\\x4', /needs 2 hexadecimal digits/],
    ['\\u{110000}', /above 10FFFF/],
    ['a\\', /at the end of the pattern/],
    ['x'.repeat(1_001), /at most 1000 characters/],
    ['glob:[abc', /missing '\]'/],
    ['glob:a\\', /at the end of the pattern/],
    ['glob:[z-a]', /range out of order/],
  ])('%s is refused: %s', (pattern, message) => {
    expect(() => compileNamePattern(pattern)).toThrow(NamePatternError);
    expect(() => compileNamePattern(pattern)).toThrow(message);
    expect(namePatternProblem(pattern)).toMatch(message);
  });

  test('the patterns that backtracking engines take exponential time on cost steps linear in the name', () => {
    // `^(.*.*)*X$` froze a worker's event loop for 18 s with RegExp. Here the cost is bounded by construction:
    // at most 2 steps per state and character, whatever the pattern.
    const pathological = ['^(.*.*)*X$', '(a+)+$', '(a|a)*b', '(a|aa)+$', '^(\\w+\\s?)*$', '(x+x+)+y', '(.*){1,30}X', '^(a?){25}a{25}$'];
    for (const source of pathological) {
      const pattern = compileNamePattern(source);
      expect(pattern).not.toBeInstanceOf(RegExp);
      expect(pattern.size).toBeLessThanOrEqual(MAX_NAME_PATTERN_SIZE);
      for (const length of [10, 100, 1_000, 10_000]) {
        const name = `${'a'.repeat(length)}!`;
        const { matched, steps } = pattern.trace(name);
        expect(matched).toBe(false);
        expect(steps).toBeLessThanOrEqual(stepBound(pattern.size, name));
      }
    }
    // Doubling the name doubles the steps (give or take the constant): linear, not exponential.
    const pattern = compileNamePattern('^(.*.*)*X$');
    const short = pattern.trace('a'.repeat(1_000)).steps;
    const long = pattern.trace('a'.repeat(2_000)).steps;
    expect(long / short).toBeLessThan(2.1);
  });

  test('the largest pattern allowed still matches in bounded steps', () => {
    const pattern = compileNamePattern('(?:a|b){1000}(?:c|d){600}');
    expect(pattern.size).toBeLessThanOrEqual(MAX_NAME_PATTERN_SIZE);
    const name = 'ab'.repeat(500) + 'cd'.repeat(300);
    const { matched, steps } = pattern.trace(name);
    expect(matched).toBe(true);
    expect(steps).toBeLessThanOrEqual(stepBound(pattern.size, name));
  });

  // Patterns from the supported syntax, rendered as text: the same answer as JavaScript's RegExp on ASCII names.
  const atom = fc.constantFrom('a', 'b', 'c', '-', '.', ' ', 'x', '1', '[ab]', '[^a]', '[a-c]', '[-b]', '\\d', '\\w', '\\W', '\\s', '\\S', '\\.', '\\-', '[\\d-]');
  const assertion = fc.constantFrom('^', '$', '\\b', '\\B');
  const quantifier = fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,}', '{0,2}', '*?', '+?', '??', '{2,}?');
  const { regex } = fc.letrec<{ regex: string; term: string; repeated: string; group: string }>((tie) => ({
    regex: fc.oneof({ depthSize: 'small' }, tie('term'), fc.array(tie('term'), { minLength: 2, maxLength: 3 }).map((terms) => terms.join('|'))),
    term: fc.array(fc.oneof(atom, assertion, tie('repeated'), tie('group')), { minLength: 0, maxLength: 4 }).map((parts) => parts.join('')),
    repeated: fc.tuple(fc.oneof(atom, tie('group')), quantifier).map(([a, q]) => a + q),
    group: fc.tuple(fc.constantFrom('(', '(?:', '(?<g>'), tie('regex')).map(([open, inner]) => `${open}${inner})`),
  }));
  const asciiName = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'B', '-', ' ', '1', 'x', '.', '_', '\n'), maxLength: 14 });
  // `(?<g>` may appear twice: JavaScript refuses duplicate group names, so compare only where it compiles.
  const jsRegExp = (source: string, flags = ''): RegExp | undefined => {
    try {
      return new RegExp(source, flags);
    } catch {
      return undefined;
    }
  };

  test('property: the same matches as RegExp, case-sensitive and with (?i)', () => {
    fc.assert(
      fc.property(regex, fc.array(asciiName, { minLength: 1, maxLength: 6 }), (source, names) => {
        const js = jsRegExp(source);
        const jsFold = jsRegExp(source, 'i');
        fc.pre(js !== undefined && jsFold !== undefined);
        const ours = compileNamePattern(source);
        const oursFold = compileNamePattern(`(?i)${source}`);
        for (const name of names) {
          expect([source, name, ours.test(name)]).toEqual([source, name, js?.test(name)]);
          expect([source, name, oursFold.test(name)]).toEqual([source, name, jsFold?.test(name)]);
        }
      }),
      { numRuns: 600 },
    );
  });

  test('property: any string either compiles or is refused with NamePatternError, and matching stays within its step bound', () => {
    const patternText = fc.oneof(
      regex,
      fc.string({ unit: fc.constantFrom('(', ')', '[', ']', '{', '}', '*', '+', '?', '|', '\\', '^', '$', '.', '-', ',', '1', '0', 'a', 'd', 'b', 'k', '<', '>', '=', '!', ':'), maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.string({ maxLength: 30 }).map((s) => `glob:${s}`),
    );
    fc.assert(
      fc.property(patternText, fc.string({ unit: 'binary', maxLength: 40 }), (source, name) => {
        let pattern: ReturnType<typeof compileNamePattern>;
        try {
          pattern = compileNamePattern(source);
        } catch (err) {
          expect(err).toBeInstanceOf(NamePatternError);
          expect(namePatternProblem(source)).toBe((err as Error).message);
          return;
        }
        expect(namePatternProblem(source)).toBeUndefined();
        const { matched, steps } = pattern.trace(name);
        expect(matched).toBe(pattern.test(name));
        expect(steps).toBeLessThanOrEqual(stepBound(pattern.size, name));
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('the workspace activity matches names with the linear matcher', () => {
  let mock: MockAirbyteServer;
  let activities: AirbyteActivities;
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args);
  beforeAll(async () => {
    mock = await MockAirbyteServer.start();
    activities = createAirbyteActivities({ default: { url: mock.publicApiUrl, ...mock.credentials! } });
  });
  afterAll(async () => {
    await mock?.close();
  });

  test('a pathological pattern on a long name answers (RegExp would not, in any useful time)', async () => {
    const { workspaceId } = mock.addWorkspace({ name: 'names' });
    mock.addConnection({ workspaceId, name: `${'a'.repeat(5_000)}Y` });
    mock.addConnection({ workspaceId, name: 'stripe-prod' });
    mock.addConnection({ workspaceId, name: 'stripe-dev' });
    const names = async (namePattern: string) =>
      (await run(activities.airbyteListConnections, { workspaceIds: [workspaceId], namePattern })).map((c) => c.name).sort();
    expect(await names('^(.*.*)*X$')).toEqual([]);
    expect(await names('-prod$')).toEqual(['stripe-prod']);
    expect(await names('glob:stripe-*')).toEqual(['stripe-dev', 'stripe-prod']);
    const err = await run(activities.airbyteListConnections, { workspaceIds: [workspaceId], namePattern: '(?=x)' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'AirbyteInvalidInput', nonRetryable: true });
    expect((err as Error).message).toMatch(/namePattern: lookahead/);
  });
});

describe('checkPipeline bounds, each naming its field', () => {
  const ws = (extra: object) => ({ id: 'ws', kind: 'workspace', workspaceId: 'w1', ...extra });
  test.each<[string, unknown, RegExp]>([
    ['a step id of 201 characters', pipeline([sync('a'.repeat(201))]), /id: must be at most 200 characters/],
    ['an empty name', pipeline([sync('a')], { name: '' }), /name: must not be empty/],
    ['a name of 201 characters', pipeline([sync('a')], { name: 'n'.repeat(201) }), /name: must be at most 200 characters/],
    ['a name with a newline', pipeline([sync('a')], { name: 'a\nb' }), /name: must not contain control characters/],
    ['an activity type of 1,001 characters', pipeline([{ id: 'x', kind: 'activity', activity: 'a'.repeat(1_001) }]), /step 'x' activity: must be at most 1,000 characters/],
    ['a workflow type of 1,001 characters', pipeline([{ id: 'x', kind: 'workflow', workflow: 'w'.repeat(1_001) }]), /step 'x' workflow: must be at most 1,000/],
    ['a task queue of 1,001 characters', pipeline([{ id: 'x', kind: 'activity', activity: 'a', taskQueue: 'q'.repeat(1_001) }]), /step 'x' taskQueue: must be at most 1,000/],
    ['an empty activity type', pipeline([{ id: 'x', kind: 'activity', activity: '' }]), /step 'x' activity: must not be empty/],
    ['a connection name of 1,001 characters', pipeline([{ id: 'x', kind: 'sync', connection: 'c'.repeat(1_001) }]), /step 'x' connection: must be at most 1,000/],
    ['an instance name the worker cannot have', pipeline([sync('x', undefined, { instance: 'i'.repeat(101) })]), /step 'x' instance: must be an instance name/],
    ['a poll interval of a million years', pipeline([sync('x', undefined, { poll: { initialInterval: '1000000y' } })]), /step 'x' poll\.initialInterval: must be a positive duration/],
    ['a timeout of 1e16 ms', pipeline([sync('x', undefined, { timeout: 1e16 })]), /step 'x' timeout: must be a positive duration .* at most 10 years/],
    ['a timeout of eleven years', pipeline([sync('x', undefined, { timeout: '4000d' })]), /step 'x' timeout:/],
    ['a zero retry delay', pipeline([sync('x', undefined, { retryDelay: 0 })]), /step 'x' retryDelay: must be a positive duration/],
    ['a negative timeout', pipeline([{ id: 'x', kind: 'activity', activity: 'a', timeout: -1 }]), /step 'x' timeout:/],
    ['an infinite dbt timeout', pipeline([{ id: 'x', kind: 'dbt', command: 'run', timeout: Infinity }]), /step 'x' timeout:/],
    ['poll.maxInterval below poll.initialInterval', pipeline([sync('x', undefined, { poll: { initialInterval: '1m', maxInterval: '1s' } })]), /step 'x' poll\.maxInterval: must not be shorter/],
    ['101 retries', pipeline([sync('x', undefined, { retries: 101 })]), /step 'x' retries: must be a whole number from 0 to 100/],
    ['1.5 retries', pipeline([sync('x', undefined, { retries: 1.5 })]), /step 'x' retries: must be a whole number/],
    ['retries adding up past the budget', pipeline(Array.from({ length: 21 }, (_, i) => sync(`s${i}`, undefined, { retries: 100 }))), /retries add up to 2,100, more than 2,000/],
    ['maxParallel 0', pipeline([sync('a')], { maxParallel: 0 }), /maxParallel: must be a whole number from 1 to 1,000/],
    ['maxParallel 1,001', pipeline([sync('a')], { maxParallel: 1_001 }), /maxParallel: must be a whole number from 1 to 1,000/],
    ['dbt threads 0', pipeline([{ id: 'x', kind: 'dbt', command: 'run', threads: 0 }]), /step 'x' threads: must be a whole number from 1/],
    ['1,001 steps', pipeline(Array.from({ length: 1_001 }, (_, i) => sync(`s${i}`))), /steps: at most 1,000 steps in one pipeline \(it has 1,001\)/],
    ['no steps', pipeline([]), /steps: a pipeline needs at least one step/],
    ['a definition of more than 1 MiB', pipeline([{ id: 'x', kind: 'activity', activity: 'a', args: ['x'.repeat(1_100_000)] }]), /pipeline: 1,1\d\d,\d\d\d bytes as JSON, more than 1,048,576/],
    ['1,001 dependencies of one step', pipeline([sync('a'), sync('b', Array.from({ length: 1_001 }, () => 'a'))]), /step 'b' dependsOn: must have at most 1,000 entries/],
    ['an invalid name pattern', pipeline([ws({ namePattern: '(?<=x)y' })]), /step 'ws' namePattern: not a valid pattern: lookbehind/],
    ['a name pattern of 1,001 characters', pipeline([ws({ namePattern: 'p'.repeat(1_001) })]), /step 'ws' namePattern: not a valid pattern: must be at most 1000 characters/],
    ['1,001 tags', pipeline([ws({ tags: Array.from({ length: 1_001 }, (_, i) => `t${i}`) })]), /step 'ws' tags: must have at most 1,000 entries/],
    ['not an object', 'nightly', /pipeline: must be an object/],
    ['an array', [sync('a')], /pipeline: must be an object/],
    ['a BigInt argument', pipeline([{ id: 'x', kind: 'activity', activity: 'a', args: [1n] }]), /pipeline: must be plain JSON data/],
  ])('%s', (_, input, message) => {
    expect(messageOf(input)).toMatch(message);
  });

  test('the limits themselves are accepted', () => {
    const steps = Array.from({ length: PIPELINE_LIMITS.steps }, (_, i) => sync(`${'s'.repeat(190)}${i}`, undefined, { retries: 2, timeout: '3650d', poll: { initialInterval: '1s', maxInterval: '3650d' } }));
    const check = checkPipeline({ name: 'n'.repeat(200), maxParallel: 1_000, steps });
    expect(check.ok).toBe(true);
    expect(checkPipeline(pipeline([{ id: 'x', kind: 'activity', activity: 'a'.repeat(1_000), taskQueue: 'q'.repeat(1_000) }])).ok).toBe(true);
  });

  test("durations up to '10y' (as Temporal counts years) are accepted, longer ones refused", () => {
    expect(checkPipeline(pipeline([sync('a', undefined, { timeout: '10y' })])).ok).toBe(true);
    expect(messageOf(pipeline([sync('a', undefined, { timeout: '11y' })]))).toMatch(/step 'a' timeout: must be a positive duration/);
  });

  test('bounded: false (pipelines started before the limits, replaying) drops the limits, keeps shape and graph', () => {
    const big = pipeline(Array.from({ length: PIPELINE_LIMITS.steps + 1 }, (_, i) => sync(`s${i}`)));
    expect(checkPipeline(big).ok).toBe(false);
    expect(checkPipeline(big, { bounded: false }).ok).toBe(true);
    expect(checkPipeline(pipeline([sync('a', ['b']), sync('b', ['a'])]), { bounded: false }).ok).toBe(false);
    expect(checkPipeline(pipeline([sync('a', undefined, { retries: -1 })]), { bounded: false }).ok).toBe(false);
  });

  test('a pattern that froze the worker is now an ordinary, accepted pattern', () => {
    expect(checkPipeline(pipeline([ws({ namePattern: '^(.*.*)*X$' })])).ok).toBe(true);
    expect(checkPipeline(pipeline([ws({ namePattern: 'glob:*-prod' })])).ok).toBe(true);
  });

  test('a long list of problems is cut short', () => {
    const message = messageOf(pipeline(Array.from({ length: 50 }, (_, i) => sync(`s${i}`, undefined, { retries: -1 }))));
    expect(message).toMatch(/; and 40 more problems$/);
    expect(message.length).toBeLessThan(2_000);
  });

  test('hostile inputs are refused, never thrown', () => {
    const cyclic: Record<string, unknown> = { name: 'p', steps: [sync('a')] };
    cyclic.self = cyclic;
    const throwing = { name: 'p', get steps(): unknown[] { throw new Error('boom'); } };
    const proxy = new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const nullProto = Object.assign(Object.create(null) as object, { name: 'p', steps: [sync('a')] });
    for (const input of [cyclic, throwing, proxy, pipeline([{ id: 'x', kind: 'activity', activity: 'a', args: [deep] }]), undefined, null, 0, Symbol('x'), () => 1]) {
      const check = checkPipeline(input);
      expect(check.ok).toBe(false);
      expect((check as { message: string }).message).toMatch(/^invalid pipeline/);
    }
    expect(checkPipeline(nullProto).ok).toBe(true);
  });
});

describe('graph checks', () => {
  test('a cycle is named, in dependency order', () => {
    expect(messageOf(pipeline([sync('a', ['c']), sync('b', ['a']), sync('c', ['b'])]))).toMatch(/dependency cycle: a -> c -> b -> a \(each step depends on the next\)/);
    expect(messageOf(pipeline([sync('a', ['a'])]))).toMatch(/step 'a' depends on itself/);
    expect(messageOf(pipeline([sync('a'), sync('b', ['a', 'z'])]))).toMatch(/step 'b' depends on unknown step 'z'/);
    expect(messageOf(pipeline([sync('a'), sync('a')]))).toMatch(/duplicate step id 'a'/);
  });

  test('10,000-step and 100,000-step chains and cycles do not overflow the stack', () => {
    for (const length of [10_000, 100_000]) {
      const chain = Array.from({ length }, (_, i) => ({ id: `s${i}`, dependsOn: i === 0 ? [] : [`s${i - 1}`] }));
      expect(findGraphProblem(chain)).toBeUndefined();
      expect(findGraphProblem([...chain].reverse())).toBeUndefined();
      chain[0]!.dependsOn = [`s${length - 1}`];
      const problem = findGraphProblem(chain);
      expect(problem).toMatch(new RegExp(`^dependency cycle: s0 -> s${length - 1} -> s${length - 2} -> .* -> \\.\\.\\. [\\d,]+ more \\.\\.\\. -> s2 -> s1 -> s0 `));
      expect(problem!.length).toBeLessThan(1_000);
    }
  });

  test('a 1,000-step chain passes checkPipeline, and the same chain closed is named', () => {
    const steps = Array.from({ length: 1_000 }, (_, i) => sync(`s${i}`, i ? [`s${i - 1}`] : undefined));
    expect(checkPipeline(pipeline(steps)).ok).toBe(true);
    steps[0] = sync('s0', ['s999']);
    expect(messageOf(pipeline(steps))).toMatch(/dependency cycle: s0 -> s999 -> s998 -> .* -> s1 -> s0/);
  });
});

// ---- property tests over generated definitions -------------------------------------------------------------------

/** Printable Unicode, graphemes of several code points included; at most 200 UTF-16 units (the smallest text limit). */
const oddText = (maxLength: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((s) => s.length <= 200);
const stepId = fc.stringMatching(/^[A-Za-z0-9][\w.-]{0,12}$/);
const duration = fc.oneof(fc.constantFrom('100ms', '1s', '30s', '5m', '2h', '1d', '3650d'), fc.integer({ min: 1, max: 300_000_000_000 }));
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const validPattern = fc.constantFrom('-prod$', '^stripe', '(?i)hubspot', 'glob:*-prod', '^(.*.*)*X$', '[a-z]+\\d{1,3}', 'a|b|c');
const common = { retries: opt(fc.integer({ min: 0, max: 3 })), retryDelay: opt(duration) };

const stepBody: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    { kind: fc.constant('sync'), connectionId: fc.uuid(), instance: opt(fc.stringMatching(/^[a-z][\w.-]{0,20}$/)), timeout: opt(duration), poll: opt(fc.constant({ initialInterval: '1s', maxInterval: '1m' })), ...common },
    { requiredKeys: ['kind', 'connectionId'] },
  ),
  fc.record({ kind: fc.constant('sync'), connection: oddText(60), jobType: opt(fc.constantFrom('sync', 'reset', 'clear')), ...common }, { requiredKeys: ['kind', 'connection'] }),
  fc.record(
    {
      kind: fc.constant('dbt'),
      command: fc.constantFrom('build', 'run', 'test'),
      select: opt(fc.array(oddText(20), { maxLength: 3 })),
      vars: opt(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
      threads: opt(fc.integer({ min: 1, max: 16 })),
      selectSyncedStreams: opt(fc.constant('source:raw.{stream}+')),
      ...common,
    },
    { requiredKeys: ['kind', 'command'] },
  ),
  fc.record(
    { kind: fc.constant('activity'), activity: oddText(80), args: opt(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 })), withUpstream: opt(fc.boolean()), taskQueue: opt(oddText(40)), ...common },
    { requiredKeys: ['kind', 'activity'] },
  ),
  fc.record({ kind: fc.constant('workflow'), workflow: oddText(80), args: opt(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 })), ...common }, { requiredKeys: ['kind', 'workflow'] }),
  fc.record(
    { kind: fc.constant('workspace'), workspaceId: fc.uuid(), namePattern: opt(validPattern), tags: opt(fc.array(oddText(10), { maxLength: 3 })), ...common },
    { requiredKeys: ['kind', 'workspaceId'] },
  ),
);

/** Strips keys whose value is undefined (as JSON or YAML would). */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A DAG: each step depends only on steps generated before it, then the steps are shuffled. */
const validDefinition: fc.Arbitrary<PipelineDefinition> = fc.uniqueArray(stepId, { minLength: 1, maxLength: 25 }).chain((ids) =>
  fc
    .record({
      name: oddText(60).filter((n) => ![...n].some((c) => (c.codePointAt(0) as number) < 0x20 || ((c.codePointAt(0) as number) >= 0x7f && (c.codePointAt(0) as number) <= 0x9f))),
      maxParallel: opt(fc.integer({ min: 1, max: 1_000 })),
      failurePolicy: opt(fc.constantFrom('failFast', 'continue')),
      onFailure: opt(fc.constantFrom('throw', 'return')),
      bodies: fc.array(stepBody, { minLength: ids.length, maxLength: ids.length }),
      deps: fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: ids.length, maxLength: ids.length }),
      order: fc.shuffledSubarray(ids.map((_, i) => i), { minLength: ids.length, maxLength: ids.length }),
    })
    .map(({ bodies, deps, order, ...top }) => {
      const steps = ids.map((id, i) => {
        const dependsOn = i === 0 ? [] : [...new Set((deps[i] ?? []).map((d) => ids[d % i] as string))];
        return defined({ id, ...bodies[i], dependsOn: dependsOn.length ? dependsOn : undefined });
      });
      return defined({ ...top, steps: order.map((i) => steps[i]) }) as unknown as PipelineDefinition;
    }),
);

type Mutation = { input: unknown; field: RegExp };
const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;
const stepsOf = (d: PipelineDefinition) => d.steps.map((s) => ({ ...s })) as Record<string, unknown>[];

/** A valid definition broken in one way, and the field its message must name. */
const invalidDefinition: fc.Arbitrary<Mutation> = fc
  .tuple(validDefinition, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 15 }), fc.anything())
  .map(([d, n, m, which, junk]): Mutation => {
    const steps = stepsOf(d);
    const at = n % steps.length;
    const step = steps[at] as Record<string, unknown>;
    const id = step.id as string;
    const with_ = (extra: object): unknown => ({ ...d, steps, ...extra });
    switch (which) {
      case 0: {
        // close a chain into a cycle
        const k = (n % 20) + 2;
        // Ids longer than the generator's 13 characters cannot collide with generated ones.
        const chain = Array.from({ length: k }, (_, i) => sync(`cycle-step-node-${i}`, [`cycle-step-node-${(i + k - 1) % k}`]));
        return { input: with_({ steps: [...steps, ...chain] }), field: /dependency cycle: cycle-step-node-\d+ -> .*cycle-step-node-\d+ \(each step depends on the next\)/ };
      }
      case 1:
        step.dependsOn = [...((step.dependsOn as string[] | undefined) ?? []), 'missing-step-id-zz'];
        return { input: with_({}), field: new RegExp(`step '${literal(id)}' depends on unknown step 'missing-step-id-zz'`) };
      case 2:
        step.dependsOn = [id];
        return { input: with_({}), field: new RegExp(`step '${literal(id)}' depends on itself`) };
      case 3:
        return { input: with_({ steps: [...steps, { ...sync('dup'), id }] }), field: new RegExp(`duplicate step id '${literal(id)}'`) };
      case 4:
        step.id = `${id}${'x'.repeat(200)}`;
        return { input: with_({}), field: / id: must be at most 200 characters/ };
      case 5: {
        const field = step.kind === 'workflow' ? 'retryDelay' : pick(['timeout', 'retryDelay'], m);
        step[field] = pick(['1000000y', 1e16, 0, -5, 'soon', '', Number.NaN, Number.POSITIVE_INFINITY, '4000d', true, null, {}], m);
        return { input: with_({}), field: new RegExp(` ${field}: `) };
      }
      case 6:
        step.retries = pick([-1, 101, 1.5, '3', null, Number.NaN], m);
        return { input: with_({}), field: / retries: / };
      case 7:
        return { input: with_({ maxParallel: pick([0, 1_001, 2.5, -1, '10', null], m) }), field: /maxParallel: / };
      case 8:
        return { input: with_({ name: pick(['', 'n'.repeat(201), 'a\nb', 'tab\there', 42, null], m) }), field: /name: / };
      case 9:
        steps.push({ id: 'workspace-bad-pattern', kind: 'workspace', workspaceId: UUID_A, namePattern: pick(['(?=a)', '(a)\\1', '[z-a]', 'a{1001}', '(', '\\p{L}', 'x'.repeat(1_001), '(?<=a)b', 'glob:[a'], m) });
        return { input: with_({}), field: /step 'workspace-bad-pattern' namePattern: not a valid pattern: / };
      case 10:
        step.fooBar = junk;
        return { input: with_({}), field: /Unrecognized key: "fooBar"/ };
      case 11:
        return { input: with_({ steps: Array.from({ length: 1_001 + (m % 50) }, (_, i) => sync(`s${i}`)) }), field: /steps: at most 1,000 steps/ };
      case 12:
        steps.push({ id: 'long-type-name-step', kind: pick(['activity', 'workflow'], m), [pick(['activity', 'workflow'], m)]: 't'.repeat(1_001 + (n % 100)) });
        return { input: with_({}), field: /step 'long-type-name-step' (activity|workflow): must be at most 1,000 characters/ };
      case 13:
        step.kind = pick(['spark', '', 'SYNC', null, 7], m);
        return { input: with_({}), field: /kind/ };
      case 14:
        steps.push({ id: 'big-arguments-step', kind: 'activity', activity: 'a', args: ['x'.repeat(PIPELINE_LIMITS.definitionBytes)] });
        return { input: with_({}), field: /pipeline: [\d,]+ bytes as JSON/ };
      default:
        return { input: with_({ steps: [...steps, ...Array.from({ length: 21 }, (_, i) => sync(`retrying-step-node-${i}`, undefined, { retries: 100 }))] }), field: /retries add up to/ };
    }
  });

/** The text as a RegExp source that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('property tests', () => {
  test('every generated valid definition is accepted as it is, and checking its output again accepts it too', () => {
    fc.assert(
      fc.property(validDefinition, (definition) => {
        const check = checkPipeline(definition);
        if (!check.ok) throw new Error(check.message);
        expect(check.value).toEqual(definition);
        expect(checkPipeline(check.value).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('every generated invalid definition is refused, naming the field or step', () => {
    fc.assert(
      fc.property(invalidDefinition, ({ input, field }) => {
        const check = checkPipeline(input);
        expect(check.ok).toBe(false);
        expect((check as { message: string }).message).toMatch(field);
      }),
      { numRuns: 500 },
    );
  });

  test('anything at all, at the top, as a step or in place of one field: an answer, never a throw', () => {
    const anything = fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withTypedArray: true,
      withSparseArray: true,
    });
    const replaced = fc.tuple(validDefinition, fc.nat(), fc.constantFrom('id', 'kind', 'dependsOn', 'retries', 'timeout', 'poll', 'namePattern', 'args', 'connectionId', 'name', 'steps', 'maxParallel'), anything).map(([d, n, key, value]) => {
      const steps = stepsOf(d);
      if (key === 'name' || key === 'steps' || key === 'maxParallel') return { ...d, [key]: value };
      (steps[n % steps.length] as Record<string, unknown>)[key] = value;
      return { ...d, steps };
    });
    const input = fc.oneof(anything, fc.record({ name: anything, steps: fc.array(anything, { maxLength: 5 }) }), replaced);
    fc.assert(
      fc.property(input, (value) => {
        const check = checkPipeline(value);
        expect(typeof check.ok).toBe('boolean');
        if (check.ok) expect(checkPipeline(check.value).ok).toBe(true);
        else expect(check.message).toMatch(/^invalid pipeline/);
      }),
      { numRuns: 1_000 },
    );
  });
});

test('syncSteps is child or inline; anything else is refused by name, before anything runs', () => {
  expect(checkPipeline(pipeline([sync('a')], { syncSteps: 'inline' })).ok).toBe(true);
  expect(checkPipeline(pipeline([sync('a')], { syncSteps: 'child' })).ok).toBe(true);
  for (const bad of ['Inline', 'children', 1, true, null]) expect(messageOf(pipeline([sync('a')], { syncSteps: bad }))).toMatch(/syncSteps/);
});
