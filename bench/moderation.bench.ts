/**
 * Messages per second through the moderation policy, against obscenity alone, with blocklists of growing size and with
 * a room's moderation lists.
 * Run on demand: `npx tsx bench/moderation.bench.ts`.
 */
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import {
  type CompiledList,
  type ConnectionModerationState,
  compileList,
  createModerator,
  initialModerationState,
  moderationPolicySchema,
} from '../src/moderation/index.js';

const SLICE_MS = 300;
/** Cases take turns slice by slice and keep their best slice, so load from other processes hits all of them alike. */
const ROUNDS = 7;

/** Deterministic generator, so every run moderates the same messages. */
function seededRandom(seed: number): () => number {
  let value = seed;
  return () => {
    value = (Math.imul(value, 1_103_515_245) + 12_345) >>> 0;
    return value / 2 ** 32;
  };
}

function chatMessages(count: number): string[] {
  const random = seededRandom(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const openers = ['hey', 'so', 'honestly', 'ok', 'lol', 'wait', 'btw', 'yeah', 'hmm', 'guys', '@sam', 'Hi all,'];
  const subjects = ['the meeting', 'this game', 'my cat', 'the new build', 'our release', 'the weather', 'lunch'];
  const verbs = ['is', 'was', 'looks', 'seems', 'feels', 'got', 'became'];
  const endings = ['great', 'late again', 'fine to me', 'broken on Safari', 'at 3pm', 'classic', 'way too slow'];
  const extras = ['', '', '', ' 😂', ' !!!', ' — see https://example.com/x?id=7', ' (really)', ' lmao', ' 👍👍'];
  const spice = ['', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', ' shit', ' wtf', ' f*ck'];
  return Array.from({ length: count }, (_, n) => {
    const sentence = `${pick(openers)} ${pick(subjects)} ${pick(verbs)} ${pick(endings)}${pick(extras)}${pick(spice)}`;
    return n % 11 === 0 ? sentence.toUpperCase() : sentence;
  });
}

function madeUpTerms(count: number, random: () => number): string[] {
  const pick = (letters: string) => letters.charAt(Math.floor(random() * letters.length));
  const letters = 'bcdfghjklmnpqrstvwxz';
  const vowels = 'aeiouy';
  return Array.from({ length: count }, (_, n) => {
    const syllable = () => pick(letters) + pick(vowels);
    const syllables = [syllable(), syllable(), syllable()];
    // One term in ten is a two-word phrase, as moderators write them.
    return n % 10 === 0 ? `${syllables.join('')} deal` : syllables.join('');
  });
}

/** Messages per second of one timed slice; a slice covers whole passes over the messages. */
function opsPerSecond(messages: readonly string[], run: (text: string) => unknown): number {
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < SLICE_MS) {
    for (const text of messages) run(text);
    done += messages.length;
  }
  return done / ((performance.now() - started) / 1000);
}

const messages = chatMessages(3_000);
const terms = madeUpTerms(10_000, seededRandom(7));
const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

/** A connection that chatted a little while ago: history in the flood window, outside the rate window. */
function warmState(): { state: ConnectionModerationState; nowMs: number } {
  const moderator = createModerator(moderationPolicySchema.parse({}));
  let state = initialModerationState();
  for (let n = 0; n < 4; n++) state = moderator.moderate(`earlier message ${n}`, state, n * 1_000).state;
  return { state, nowMs: 20_000 };
}

/** A room's list as moderators build one: word rules, blocked domains and a couple of regular expressions. */
function roomList(words: number, domains: number): CompiledList {
  return compileList([
    ...terms
      .slice(0, words)
      .map((pattern, n) => ({ id: `w${n}`, kind: 'word' as const, pattern, action: 'block' as const })),
    ...Array.from({ length: domains }, (_, n) => ({
      id: `d${n}`,
      kind: 'domain' as const,
      pattern: `shady-${n}.example`,
      action: 'block' as const,
    })),
    { id: 'r1', kind: 'regex', pattern: '\\bfree\\s+followers\\b', action: 'block' },
    { id: 'r2', kind: 'regex', pattern: '\\b\\d{3}-\\d{3}-\\d{4}\\b', action: 'flag' },
  ]);
}

const { state, nowMs } = warmState();
/** `baseline`: the case this one's slowdown is measured against. */
const cases: { name: string; baseline?: string; run: (text: string) => unknown }[] = [
  { name: 'obscenity hasMatch alone', run: (text) => obscenity.hasMatch(text) },
];
const tenTerms = 'moderator, 10-term blocklist';
for (const size of [0, 10, 1_000, 10_000]) {
  const moderator = createModerator(moderationPolicySchema.parse({ blocklist: terms.slice(0, size) }));
  cases.push({
    name: `moderator, ${size.toLocaleString('en')}-term blocklist`,
    baseline: tenTerms,
    run: (text) => moderator.moderate(text, state, nowMs),
  });
}
const smallList = 'room list, 10 words + 1 domain + 2 regexes';
const moderator = createModerator(moderationPolicySchema.parse({}));
for (const [name, words, domains] of [
  [smallList, 10, 1],
  ['room list, 10,000 words + 100 domains + 2 regexes', 10_000, 100],
] as const) {
  const room = { lists: [roomList(words, domains)] };
  cases.push({ name, baseline: smallList, run: (text) => moderator.moderate(text, state, nowMs, room) });
}
// One untimed pass of every case first, so no case is timed while the shared code is still warming up.
for (const benchCase of cases) for (const text of messages) benchCase.run(text);
const rows = cases.map((benchCase) => ({ ...benchCase, opsPerSecond: 0 }));
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach((benchCase, i) => {
    const row = rows[i];
    if (row) row.opsPerSecond = Math.max(row.opsPerSecond, opsPerSecond(messages, benchCase.run));
  });
}

const obscenityRate = rows[0]?.opsPerSecond ?? 1;
const rateOf = (name: string) => rows.find((row) => row.name === name)?.opsPerSecond ?? 1;
console.log(
  `${messages.length} varied chat messages, best of ${ROUNDS} slices of ${SLICE_MS} ms, node ${process.version}\n`,
);
console.log(`${'case'.padEnd(50)}${'msg/s'.padStart(10)}${'vs obscenity'.padStart(14)}${'slowdown'.padStart(10)}`);
for (const row of rows) {
  const vsObscenity = (row.opsPerSecond / obscenityRate).toFixed(2);
  const slowdown = row.baseline ? `${(rateOf(row.baseline) / row.opsPerSecond).toFixed(2)}x` : '';
  console.log(
    `${row.name.padEnd(50)}${Math.round(row.opsPerSecond).toLocaleString('en').padStart(10)}${`${vsObscenity}x`.padStart(14)}${slowdown.padStart(10)}`,
  );
}
console.log(`\nslowdown: against "${tenTerms}" for blocklists, against "${smallList}" for room lists.`);
