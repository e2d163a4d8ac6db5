/**
 * Messages per second through the moderation policy, against obscenity alone, with blocklists of growing size.
 * Run on demand: `npx tsx bench/moderation.bench.ts`.
 */
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import {
  type ConnectionModerationState,
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

const { state, nowMs } = warmState();
const cases: { name: string; run: (text: string) => unknown }[] = [
  { name: 'obscenity hasMatch alone', run: (text) => obscenity.hasMatch(text) },
];
for (const size of [0, 10, 1_000, 10_000]) {
  const moderator = createModerator(moderationPolicySchema.parse({ blocklist: terms.slice(0, size) }));
  cases.push({
    name: `moderator, ${size.toLocaleString('en')}-term blocklist`,
    run: (text) => moderator.moderate(text, state, nowMs),
  });
}
const rows = cases.map((benchCase) => ({ name: benchCase.name, opsPerSecond: 0 }));
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach((benchCase, i) => {
    const row = rows[i];
    if (row) row.opsPerSecond = Math.max(row.opsPerSecond, opsPerSecond(messages, benchCase.run));
  });
}

const baseline = rows[0]?.opsPerSecond ?? 1;
const tenTerms = rows.find((row) => row.name.includes(' 10-term'))?.opsPerSecond ?? 1;
console.log(
  `${messages.length} varied chat messages, best of ${ROUNDS} slices of ${SLICE_MS} ms, node ${process.version}\n`,
);
console.log(`${'case'.padEnd(36)}${'msg/s'.padStart(12)}${'vs obscenity'.padStart(14)}${'vs 10 terms'.padStart(13)}`);
for (const row of rows) {
  const vsObscenity = (row.opsPerSecond / baseline).toFixed(2);
  const vsTenTerms = row.name.startsWith('moderator') ? (tenTerms / row.opsPerSecond).toFixed(2) : '';
  console.log(
    `${row.name.padEnd(36)}${Math.round(row.opsPerSecond).toLocaleString('en').padStart(12)}${`${vsObscenity}x`.padStart(14)}${(vsTenTerms && `${vsTenTerms}x slower`).padStart(13)}`,
  );
}
