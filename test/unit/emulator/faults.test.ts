import { describe, expect, it } from 'vitest';
import { FaultInjector, type FaultOptions } from '../../../emulator/faults.js';

/** Which of `count` requests to `path` the injector fails, as a string of 0s and 1s. */
async function pattern(injector: FaultInjector, count: number, path = '/api/hubs/h/:send'): Promise<string> {
  let failed = '';
  for (let n = 0; n < count; n++) failed += (await injector.select('POST', path)) ? '1' : '0';
  return failed;
}

describe('emulator fault injector', () => {
  it('fails every n-th matching request, and only matching ones', async () => {
    const injector = new FaultInjector({ status: 503, everyNth: 3, match: /:send$/ });
    expect(await pattern(injector, 9)).toBe('001001001');
    expect(await pattern(injector, 3, '/api/hubs/h/groups/g/:send')).toBe('001');
    expect(await pattern(injector, 3, '/api/hubs/h/connections/c')).toBe('000');
  });

  it('with a seed, fails the same share of requests in the same order on every run', async () => {
    const options: FaultOptions = { status: 429, retryAfterSeconds: 1, fraction: 0.5, seed: 7 };
    const first = await pattern(new FaultInjector(options), 400);
    expect(await pattern(new FaultInjector(options), 400)).toBe(first);
    const share = [...first].filter((bit) => bit === '1').length / first.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    expect(await pattern(new FaultInjector({ ...options, seed: 8 }), 400)).not.toBe(first);
    // Setting the same options again starts the sequence over.
    const injector = new FaultInjector(options);
    await pattern(injector, 10);
    injector.set(options);
    expect(await pattern(injector, 400)).toBe(first);
  });

  it('answers with the configured status and Retry-After, and nothing once cleared', async () => {
    const injector = new FaultInjector({ status: 429, retryAfterSeconds: 2 });
    expect(await injector.select('GET', '/api/health')).toEqual({ status: 429, retryAfterSeconds: 2, reset: false });
    injector.set(undefined);
    expect(await injector.select('GET', '/api/health')).toBeUndefined();
  });
});
