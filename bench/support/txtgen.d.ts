/** txtgen ships no types: the two functions the moderation-quality benchmark uses. */
declare module 'txtgen' {
  export function sentence(): string;
  export function setRandom(random: () => number): void;
}
