// Connection-name patterns of workspace steps, matched in time linear in the name's length whatever the pattern.
//
// A pattern is compiled to a Thompson automaton and run by keeping the set of states it can be in (each state at
// most once per character), never by backtracking: `^(.*.*)*X$` costs what `^.*X$` costs. Names are never
// matched with a RegExp.
// No Temporal or Node imports: the workflow checks patterns with it, the activity matches names with it.
//
// Syntax (README, "Pipelines"):
// - a regular expression, the common part of JavaScript's: literals, `.`, `[a-z]`, `[^...]`, `\d \w \s` (and
//   `\D \W \S`), `\b \B`, `^ $`, `( )`, `(?: )`, `(?<name> )`, `|`, `* + ?`, `{n}`, `{n,}`, `{n,m}` (n, m at most
//   1,000), lazy forms, escapes `\t \n \r \f \v \0 \xHH \uHHHH \u{H...} \cX` and `\` before any punctuation.
//   It matches anywhere in the name unless anchored, as `RegExp.test` does. A leading `(?i)` ignores case.
//   Refused with a message: back-references, lookahead and lookbehind, `\p{...}`, other inline flags.
// - `glob:` then a glob matched against the whole name: `*` any run of characters, `?` one character, `[abc]`,
//   `[a-z]`, `[!a-z]` (or `[^a-z]`), `\` makes the next character literal.
// A character is a Unicode code point (an emoji is one character, not two halves).

/** Longest pattern accepted, in characters. */
export const MAX_NAME_PATTERN_LENGTH = 1_000;
/** Largest `{n,m}` count. */
export const MAX_NAME_PATTERN_REPEAT = 1_000;
/** Most automaton states once repetitions are expanded: matching costs at most about 2 × this per character. */
export const MAX_NAME_PATTERN_SIZE = 5_000;

export class NamePatternError extends Error {
  override readonly name = 'NamePatternError';
}

export interface NamePattern {
  readonly source: string;
  /** States of the automaton; matching a name of n characters takes at most 2 × size × (n + 1) steps. */
  readonly size: number;
  /** True when the name matches. */
  test(name: string): boolean;
  /** `test`, also counting the automaton steps it took. */
  trace(name: string): { matched: boolean; steps: number };
}

/** Compiles a pattern; throws `NamePatternError` saying what is wrong and where. */
export function compileNamePattern(pattern: string): NamePattern {
  if (typeof pattern !== 'string') throw new NamePatternError('must be a string');
  const length = [...pattern].length;
  if (length > MAX_NAME_PATTERN_LENGTH) throw new NamePatternError(`must be at most ${MAX_NAME_PATTERN_LENGTH} characters (it has ${length})`);
  let ast: Node;
  let fold = false;
  if (pattern.startsWith(GLOB_PREFIX)) {
    ast = parseGlob(codePoints(pattern.slice(GLOB_PREFIX.length)), GLOB_PREFIX.length);
  } else {
    let body = pattern;
    if (body.startsWith(FOLD_FLAG)) {
      fold = true;
      body = body.slice(FOLD_FLAG.length);
    }
    ast = new RegexParser(codePoints(body), pattern.length - body.length).parse();
  }
  if (sizeOf(ast) > MAX_NAME_PATTERN_SIZE) {
    throw new NamePatternError(`is too large once its repetitions are expanded (more than ${MAX_NAME_PATTERN_SIZE} states): use smaller {n,m} counts`);
  }
  const program = compile(ast);
  return {
    source: pattern,
    size: program.insts.length,
    test: (name) => run(program, name, fold).matched,
    trace: (name) => run(program, name, fold),
  };
}

/** Undefined when the pattern compiles, else what is wrong with it. Never throws. */
export function namePatternProblem(pattern: unknown): string | undefined {
  try {
    compileNamePattern(pattern as string);
    return undefined;
  } catch (err) {
    return err instanceof NamePatternError ? err.message : 'is not a valid pattern';
  }
}

const GLOB_PREFIX = 'glob:';
const FOLD_FLAG = '(?i)';
const MAX_CODE_POINT = 0x10ffff;

// ---- syntax tree ----------------------------------------------------------------------------------------------

/** `ranges` holds pairs [lo, hi] of code points, flattened. */
type CharSet = { t: 'set'; ranges: number[]; negate: boolean };
type AssertKind = 'start' | 'end' | 'word' | 'notWord';
type Node =
  | CharSet
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; item: Node; min: number; max: number }
  | { t: 'assert'; kind: AssertKind };

const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];
const LINE_TERMINATORS = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];
const ANY: CharSet = { t: 'set', ranges: [], negate: true };

const codePoints = (text: string): number[] => Array.from(text, (c) => c.codePointAt(0) as number);
const literal = (cp: number): CharSet => ({ t: 'set', ranges: [cp, cp], negate: false });

/** The code points not in `ranges`, as ranges. */
function complement(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i] as number, ranges[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let next = 0;
  for (const [lo, hi] of pairs) {
    if (lo > next) out.push(next, lo - 1);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

/** States the node compiles to (an upper bound); Infinity-safe for absurd nestings. */
function sizeOf(node: Node): number {
  switch (node.t) {
    case 'set':
    case 'assert':
      return 1;
    case 'cat':
      return node.items.reduce((sum, item) => sum + sizeOf(item), 0);
    case 'alt':
      return node.items.reduce((sum, item) => sum + sizeOf(item), 0) + node.items.length - 1;
    case 'rep': {
      const inner = sizeOf(node.item);
      return node.min * inner + (node.max === Infinity ? inner + 1 : (node.max - node.min) * (inner + 1));
    }
  }
}

// ---- regular expressions --------------------------------------------------------------------------------------

const isDigit = (cp: number | undefined): boolean => cp !== undefined && cp >= 0x30 && cp <= 0x39;
const hexValue = (cp: number | undefined): number =>
  cp === undefined ? -1 : isDigit(cp) ? cp - 0x30 : cp >= 0x41 && cp <= 0x46 ? cp - 0x37 : cp >= 0x61 && cp <= 0x66 ? cp - 0x57 : -1;
const isAsciiLetter = (cp: number): boolean => (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
const ch = (c: string): number => c.codePointAt(0) as number;

/** Recursive descent over code points; nesting depth is bounded by the pattern's length. */
class RegexParser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly cps: number[],
    /** Characters before `cps` in the pattern as written (a `(?i)` prefix), for positions in messages. */
    private readonly offset: number,
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.cps.length) throw this.fail(`unmatched ')'`);
    return node;
  }

  private fail(what: string, at = this.pos): NamePatternError {
    return new NamePatternError(`${what} at character ${at + this.offset + 1}`);
  }

  private peek(ahead = 0): number | undefined {
    return this.cps[this.pos + ahead];
  }

  private alternation(): Node {
    const items = [this.sequence()];
    while (this.peek() === ch('|')) {
      this.pos++;
      items.push(this.sequence());
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'alt', items };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== ch('|') && c !== ch(')'); c = this.peek()) items.push(this.repeat());
    return items.length === 1 ? (items[0] as Node) : { t: 'cat', items };
  }

  private repeat(): Node {
    const start = this.pos;
    const atom = this.atom();
    const bounds = this.quantifier();
    if (!bounds) return atom;
    if (atom.t === 'assert' && this.cps[start] !== ch('(')) throw this.fail('nothing to repeat', start); // `(^)*` is allowed, `^*` not
    if (this.peek() === ch('?')) this.pos++; // lazy: the same names match
    if (this.peek() === ch('*') || this.peek() === ch('+') || this.peek() === ch('?') || this.braceQuantifierAt(this.pos)) {
      throw this.fail('nothing to repeat (two quantifiers in a row)');
    }
    return { t: 'rep', item: atom, min: bounds[0], max: bounds[1] };
  }

  private quantifier(): [number, number] | undefined {
    const c = this.peek();
    const simple: [number, number] | undefined = c === ch('*') ? [0, Infinity] : c === ch('+') ? [1, Infinity] : c === ch('?') ? [0, 1] : undefined;
    if (simple) {
      this.pos++;
      return simple;
    }
    const end = this.braceQuantifierAt(this.pos);
    if (end === undefined) return undefined;
    const text = String.fromCodePoint(...this.cps.slice(this.pos + 1, end));
    const [minText, maxText] = text.split(',') as [string, string | undefined];
    const min = Number(minText);
    const max = maxText === undefined ? min : maxText === '' ? Infinity : Number(maxText);
    if (min > MAX_NAME_PATTERN_REPEAT || (max !== Infinity && max > MAX_NAME_PATTERN_REPEAT)) {
      throw this.fail(`repetition count above ${MAX_NAME_PATTERN_REPEAT}`);
    }
    if (max < min) throw this.fail('numbers out of order in {} quantifier');
    this.pos = end + 1;
    return [min, max];
  }

  /** Index of the `}` when a `{n}`, `{n,}` or `{n,m}` starts at `at`; otherwise `{` is a literal. */
  private braceQuantifierAt(at: number): number | undefined {
    if (this.cps[at] !== ch('{')) return undefined;
    let i = at + 1;
    const digits = () => {
      const from = i;
      while (isDigit(this.cps[i])) i++;
      return i > from;
    };
    if (!digits()) return undefined;
    if (this.cps[i] === ch(',')) {
      i++;
      digits();
    }
    return this.cps[i] === ch('}') ? i : undefined;
  }

  private atom(): Node {
    const start = this.pos;
    const c = this.cps[this.pos++] as number;
    switch (c) {
      case ch('('):
        return this.group(start);
      case ch('['):
        return this.charClass(start);
      case ch('.'):
        return { t: 'set', ranges: LINE_TERMINATORS, negate: true };
      case ch('^'):
        return { t: 'assert', kind: 'start' };
      case ch('$'):
        return { t: 'assert', kind: 'end' };
      case ch('\\'):
        return this.escape(false, start);
      case ch('*'):
      case ch('+'):
      case ch('?'):
        throw this.fail('nothing to repeat', start);
      case ch('{'):
        if (this.braceQuantifierAt(start) !== undefined) throw this.fail('nothing to repeat', start);
        return literal(c);
      default:
        return literal(c);
    }
  }

  private group(start: number): Node {
    if (this.peek() === ch('?')) {
      const next = this.peek(1);
      const after = this.peek(2);
      if (next === ch(':')) this.pos += 2;
      else if (next === ch('=') || next === ch('!')) throw this.fail('lookahead (?= or (?! is not supported', start);
      else if (next === ch('<') && (after === ch('=') || after === ch('!'))) throw this.fail('lookbehind (?<= or (?<! is not supported', start);
      else if (next === ch('<')) {
        let i = this.pos + 2;
        while (i < this.cps.length && this.cps[i] !== ch('>')) i++;
        const name = String.fromCodePoint(...this.cps.slice(this.pos + 2, i));
        if (i >= this.cps.length || !/^[A-Za-z_$][\w$]*$/.test(name)) throw this.fail('invalid group name', start);
        this.pos = i + 1;
      } else if (next === ch('i') && after === ch(')')) {
        throw this.fail('(?i) is only allowed at the very start of the pattern', start);
      } else throw this.fail('unsupported group (?', start);
    }
    if (++this.depth > MAX_NAME_PATTERN_LENGTH) throw this.fail('groups nested too deeply', start);
    const inner = this.alternation();
    this.depth--;
    if (this.peek() !== ch(')')) throw this.fail(`missing ')' for the group opened`, start);
    this.pos++;
    return inner;
  }

  private charClass(start: number): Node {
    let negate = false;
    if (this.peek() === ch('^')) {
      negate = true;
      this.pos++;
    }
    const ranges: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw this.fail(`missing ']' for the class opened`, start);
      if (c === ch(']')) {
        this.pos++;
        return { t: 'set', ranges, negate };
      }
      const lo = this.classAtom();
      if (this.peek() === ch('-') && this.peek(1) !== undefined && this.peek(1) !== ch(']')) {
        const dash = this.pos++;
        const hi = this.classAtom();
        if (typeof lo === 'number' && typeof hi === 'number') {
          if (lo > hi) throw this.fail('range out of order in character class', dash);
          ranges.push(lo, hi);
        } else {
          // As JavaScript does for `[\d-z]`: the class escape, a literal "-", and the other side.
          for (const side of [lo, ch('-'), hi]) ranges.push(...(typeof side === 'number' ? [side, side] : side));
        }
      } else if (typeof lo === 'number') ranges.push(lo, lo);
      else ranges.push(...lo);
    }
  }

  /** One code point, or the ranges of a class escape such as `\d`. */
  private classAtom(): number | number[] {
    const start = this.pos;
    const c = this.cps[this.pos++] as number;
    if (c !== ch('\\')) return c;
    const set = this.escape(true, start);
    if (set.t !== 'set') throw this.fail('unexpected escape in character class', start);
    if (!set.negate && set.ranges.length === 2 && set.ranges[0] === set.ranges[1]) return set.ranges[0] as number;
    return set.negate ? complement(set.ranges) : set.ranges;
  }

  /** After a backslash. Inside a class `\b` is a backspace, as in JavaScript. */
  private escape(inClass: boolean, start: number): Node {
    const c = this.cps[this.pos++];
    if (c === undefined) throw this.fail('\\ at the end of the pattern', start);
    const letter = String.fromCodePoint(c);
    switch (letter) {
      case 'd':
        return { t: 'set', ranges: DIGIT, negate: false };
      case 'D':
        return { t: 'set', ranges: DIGIT, negate: true };
      case 'w':
        return { t: 'set', ranges: WORD, negate: false };
      case 'W':
        return { t: 'set', ranges: WORD, negate: true };
      case 's':
        return { t: 'set', ranges: SPACE, negate: false };
      case 'S':
        return { t: 'set', ranges: SPACE, negate: true };
      case 'b':
        return inClass ? literal(0x08) : { t: 'assert', kind: 'word' };
      case 'B':
        if (inClass) break;
        return { t: 'assert', kind: 'notWord' };
      case 't':
        return literal(0x09);
      case 'n':
        return literal(0x0a);
      case 'v':
        return literal(0x0b);
      case 'f':
        return literal(0x0c);
      case 'r':
        return literal(0x0d);
      case '0':
        if (isDigit(this.peek())) throw this.fail('octal escapes are not supported', start);
        return literal(0);
      case 'x':
        return literal(this.hex(2, start));
      case 'u':
        return literal(this.unicodeEscape(start));
      case 'c': {
        const control = this.peek();
        if (control === undefined || !isAsciiLetter(control)) throw this.fail('\\c must be followed by a letter', start);
        this.pos++;
        return literal(control % 32);
      }
      case 'k':
        throw this.fail('back-references (\\k<name>) are not supported', start);
      case 'p':
      case 'P':
        throw this.fail('Unicode property escapes (\\p{...}) are not supported', start);
      default:
        if (isDigit(c)) throw this.fail('back-references (\\1) are not supported', start);
        if (isAsciiLetter(c)) break;
        return literal(c); // any other character stands for itself: \. \* \\ \/ \- ...
    }
    throw this.fail(`unknown escape \\${letter}`, start);
  }

  private hex(count: number, start: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const digit = hexValue(this.peek());
      if (digit < 0) throw this.fail(`\\${count === 2 ? 'x' : 'u'} needs ${count} hexadecimal digits`, start);
      value = value * 16 + digit;
      this.pos++;
    }
    return value;
  }

  private unicodeEscape(start: number): number {
    if (this.peek() !== ch('{')) return this.hex(4, start);
    this.pos++;
    let value = 0;
    let digits = 0;
    for (let c = this.peek(); c !== ch('}'); c = this.peek()) {
      const digit = hexValue(c);
      if (digit < 0) throw this.fail('\\u{...} needs hexadecimal digits and a closing }', start);
      value = value * 16 + digit;
      if (value > MAX_CODE_POINT) throw this.fail('\\u{...} above 10FFFF', start);
      digits++;
      this.pos++;
    }
    if (digits === 0) throw this.fail('\\u{...} needs hexadecimal digits', start);
    this.pos++;
    return value;
  }
}

// ---- globs ------------------------------------------------------------------------------------------------------

function parseGlob(cps: number[], offset: number): Node {
  const items: Node[] = [{ t: 'assert', kind: 'start' }];
  const fail = (what: string, at: number) => new NamePatternError(`${what} at character ${at + offset + 1}`);
  for (let i = 0; i < cps.length; ) {
    const start = i;
    const c = cps[i++] as number;
    if (c === ch('*')) {
      while (cps[i] === ch('*')) i++; // `**` is `*`
      items.push({ t: 'rep', item: ANY, min: 0, max: Infinity });
    } else if (c === ch('?')) items.push(ANY);
    else if (c === ch('\\')) {
      if (i >= cps.length) throw fail('\\ at the end of the pattern', start);
      items.push(literal(cps[i++] as number));
    } else if (c === ch('[')) {
      let negate = false;
      if (cps[i] === ch('!') || cps[i] === ch('^')) {
        negate = true;
        i++;
      }
      const ranges: number[] = [];
      let first = true;
      for (;;) {
        let lo = cps[i++];
        if (lo === undefined) throw fail(`missing ']' for the class opened`, start);
        if (lo === ch(']') && !first) break; // a `]` first in the class is a literal
        first = false;
        if (lo === ch('\\')) lo = cps[i++];
        if (lo === undefined) throw fail(`missing ']' for the class opened`, start);
        let hi = lo;
        if (cps[i] === ch('-') && cps[i + 1] !== undefined && cps[i + 1] !== ch(']')) {
          i++;
          hi = cps[i++] as number;
          if (hi === ch('\\')) hi = cps[i++] as number;
          if (hi === undefined) throw fail(`missing ']' for the class opened`, start);
          if (lo > hi) throw fail('range out of order in character class', start);
        }
        ranges.push(lo, hi);
      }
      items.push({ t: 'set', ranges, negate });
    } else items.push(literal(c));
  }
  items.push({ t: 'assert', kind: 'end' });
  return { t: 'cat', items };
}

// ---- automaton --------------------------------------------------------------------------------------------------

type Inst =
  | { op: 'char'; set: CharSet; next: number }
  | { op: 'split'; x: number; y: number }
  | { op: 'assert'; kind: AssertKind; next: number }
  | { op: 'match' };

interface Program {
  insts: Inst[];
  start: number;
}

/** Compiles back to front: each fragment is built knowing the state that follows it. */
function compile(ast: Node): Program {
  const insts: Inst[] = [{ op: 'match' }];
  const emit = (inst: Inst): number => insts.push(inst) - 1;
  const build = (node: Node, next: number): number => {
    switch (node.t) {
      case 'set':
        return emit({ op: 'char', set: node, next });
      case 'assert':
        return emit({ op: 'assert', kind: node.kind, next });
      case 'cat': {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--) entry = build(node.items[i] as Node, entry);
        return entry;
      }
      case 'alt': {
        let entry = build(node.items[node.items.length - 1] as Node, next);
        for (let i = node.items.length - 2; i >= 0; i--) entry = emit({ op: 'split', x: build(node.items[i] as Node, next), y: entry });
        return entry;
      }
      case 'rep': {
        let entry = next;
        if (node.max === Infinity) {
          const loop = emit({ op: 'split', x: -1, y: next });
          (insts[loop] as { x: number }).x = build(node.item, loop);
          entry = loop;
        } else {
          for (let i = node.min; i < node.max; i++) entry = emit({ op: 'split', x: build(node.item, entry), y: next });
        }
        for (let i = 0; i < node.min; i++) entry = build(node.item, entry);
        return entry;
      }
    }
  };
  const start = build(ast, 0);
  return { insts, start };
}

const isWordChar = (cp: number | undefined): boolean =>
  cp !== undefined && ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || cp === 0x5f || (cp >= 0x61 && cp <= 0x7a));

function inRanges(ranges: number[], cp: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (cp >= (ranges[i] as number) && cp <= (ranges[i + 1] as number)) return true;
  return false;
}

function caseVariant(cp: number, upper: boolean): number {
  const s = String.fromCodePoint(cp);
  const changed = upper ? s.toUpperCase() : s.toLowerCase();
  const first = changed.codePointAt(0) as number;
  return changed.length === String.fromCodePoint(first).length ? first : cp;
}

/**
 * Runs the automaton over the name, one character at a time, keeping each state at most once per position
 * (Thompson's simulation): O(states × characters), whatever the pattern. Matches anywhere, like `RegExp.test`.
 */
function run(program: Program, name: string, fold: boolean): { matched: boolean; steps: number } {
  const { insts, start } = program;
  const cps = codePoints(String(name));
  const n = cps.length;
  const seen = new Int32Array(insts.length).fill(-1);
  const stack: number[] = [];
  let current: number[] = [];
  let steps = 0;
  let matched = false;

  const holds = (kind: AssertKind, pos: number): boolean => {
    switch (kind) {
      case 'start':
        return pos === 0;
      case 'end':
        return pos === n;
      case 'word':
        return isWordChar(cps[pos - 1]) !== isWordChar(cps[pos]);
      case 'notWord':
        return isWordChar(cps[pos - 1]) === isWordChar(cps[pos]);
    }
  };
  /** Adds `pc` and every state reachable from it without reading a character; iterative, so no deep recursion. */
  const add = (list: number[], pc: number, pos: number) => {
    stack.push(pc);
    while (stack.length) {
      const at = stack.pop() as number;
      if (seen[at] === pos) continue;
      seen[at] = pos;
      steps++;
      const inst = insts[at] as Inst;
      if (inst.op === 'char') list.push(at);
      else if (inst.op === 'split') stack.push(inst.y, inst.x);
      else if (inst.op === 'assert') {
        if (holds(inst.kind, pos)) stack.push(inst.next);
      } else matched = true;
    }
  };

  add(current, start, 0);
  for (let pos = 0; pos < n && !matched; pos++) {
    const cp = cps[pos] as number;
    const lower = fold ? caseVariant(cp, false) : cp;
    const upper = fold ? caseVariant(cp, true) : cp;
    const next: number[] = [];
    for (const pc of current) {
      steps++;
      const inst = insts[pc] as Extract<Inst, { op: 'char' }>;
      const { ranges, negate } = inst.set;
      const hit = inRanges(ranges, cp) || (fold && (inRanges(ranges, lower) || inRanges(ranges, upper)));
      if (hit !== negate) add(next, inst.next, pos + 1);
    }
    add(next, start, pos + 1); // a match may begin at any position
    current = next;
  }
  return { matched, steps };
}

/** A pattern that matches exactly this name and nothing else (a glob with every special character escaped). */
export function exactNamePattern(name: string): string {
  return GLOB_PREFIX + name.replace(/[*?[\]\\!^]/g, '\\$&');
}
