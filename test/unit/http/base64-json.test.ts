import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseBase64Json } from '../../../src/http/base64-json.js';

const schema = z.object({ name: z.string() });
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('parseBase64Json', () => {
  it('reads ASCII and UTF-8 JSON alike (names beyond Latin-1, astral characters)', () => {
    for (const name of ['plain', 'Zoë', 'Łukasz Żółć', '陈伟', 'emoji 🎉']) {
      expect(parseBase64Json(encode({ name }), schema)).toEqual({ name });
    }
  });

  it('reads unpadded base64, as the forgiving decoder allows', () => {
    const padded = encode({ name: 'ab' });
    expect(padded.endsWith('=')).toBe(true);
    expect(parseBase64Json(padded.replace(/=+$/, ''), schema)).toEqual({ name: 'ab' });
  });

  it('refuses characters outside the base64 alphabet instead of skipping them', () => {
    const valid = encode({ name: 'Alice' });
    expect(parseBase64Json(`${valid.slice(0, 4)}*${valid.slice(4)}`, schema)).toBeUndefined();
    expect(parseBase64Json(encode({ name: 'a?>' }).replace(/\+/g, '-').replace(/\//g, '_'), schema)).toBeUndefined();
  });

  it('refuses what is not JSON, or not of the shape', () => {
    expect(parseBase64Json(Buffer.from('{name:').toString('base64'), schema)).toBeUndefined();
    expect(parseBase64Json(encode({ name: 5 }), schema)).toBeUndefined();
    expect(parseBase64Json('', schema)).toBeUndefined();
  });
});
