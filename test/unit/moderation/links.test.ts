import { describe, expect, it } from 'vitest';
import { hostAndParents, linkHosts } from '../../../src/moderation/links.js';

describe('link hosts', () => {
  it.each([
    ['see https://www.evil.example/path?x=1 now', ['www.evil.example']],
    ['(example.com)', ['example.com']],
    ['go to sub.spam.io!', ['sub.spam.io']],
    ['https://user@host.com:443/', ['host.com']],
    ['http://127.0.0.1:8080/x', ['127.0.0.1']],
    ['two: a.org and b.net.', ['a.org', 'b.net']],
    ['ok... fine', []],
    ['e.g. this, i.e. that', []],
    ['version 1.2.3 ships', []],
    ['no dots at all', []],
  ])('%s', (text, hosts) => {
    expect(linkHosts(text)).toEqual(hosts);
  });

  it('walks a host up to its parent domains', () => {
    expect([...hostAndParents('a.b.example.com')]).toEqual(['a.b.example.com', 'b.example.com', 'example.com', 'com']);
  });

  it('stays linear on long adversarial input', () => {
    const started = performance.now();
    linkHosts(`${'a.'.repeat(50_000)}x ${'-.'.repeat(50_000)}`);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
