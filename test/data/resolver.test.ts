import { createCachingResolver, createStaticResolver, loadStaticResolverFile } from '../../activities/data/resolver';
import type { PrincipalResolver } from '../../activities/data/resolver';
import { tempDir } from './helpers';

function recordingResolver(known: Record<string, string>): PrincipalResolver & { calls: string[][] } {
  const calls: string[][] = [];
  const inner = createStaticResolver(known);
  return {
    calls,
    resolve(keys, signal) {
      calls.push([...keys]);
      return inner.resolve(keys, signal);
    },
  };
}

describe('principal resolution', () => {
  it('batches keys (20 per call by default), looks each distinct key up once per run, and never looks up a GUID', async () => {
    const known = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`user${i}@x.example`, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`]));
    const inner = recordingResolver(known);
    const resolver = createCachingResolver(inner);
    const keys = [...Object.keys(known), 'USER0@x.example', 'ghost@x.example', 'A1B2C3D4-0001-4000-8000-000000000001'];
    const first = await resolver.resolve(keys);
    expect(inner.calls.map((c) => c.length)).toEqual([20, 20, 6]);
    expect(inner.calls.flat()).not.toContain('a1b2c3d4-0001-4000-8000-000000000001');
    expect(first.get('USER0@x.example')).toBe(known['user0@x.example']);
    expect(first.get('ghost@x.example')).toBeNull();
    expect(first.get('A1B2C3D4-0001-4000-8000-000000000001')).toBe('a1b2c3d4-0001-4000-8000-000000000001');
    const again = await resolver.resolve(['user7@x.example', 'ghost@x.example']);
    expect(inner.calls).toHaveLength(3); // answered from the cache, unknown keys included
    expect(again.get('user7@x.example')).toBe(known['user7@x.example']);
    expect(resolver.stats()).toEqual({ lookups: 46, cached: 46, calls: 3 });
  });

  it('runs at most `concurrency` calls at once', async () => {
    let inFlight = 0;
    let most = 0;
    const slow: PrincipalResolver = {
      async resolve(keys) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight -= 1;
        return new Map(keys.map((k) => [k, null]));
      },
    };
    await createCachingResolver(slow, { batchSize: 2, concurrency: 3 }).resolve(Array.from({ length: 20 }, (_, i) => `u${i}@x`));
    expect(most).toBe(3);
  });

  it('loads a static table from an emulator seed (by UPN and by mail) or from a plain JSON map', async () => {
    const tmp = await tempDir();
    try {
      const seed = await tmp.write('seed.json', JSON.stringify({ users: [{ id: 'id-1', userPrincipalName: 'a@contoso.onmicrosoft.com', mail: 'a@contoso.com' }] }));
      const fromSeed = await loadStaticResolverFile(seed);
      const answer = await fromSeed.resolve(['A@contoso.onmicrosoft.com', 'a@contoso.com', 'b@contoso.com']);
      expect([...answer.values()]).toEqual(['id-1', 'id-1', null]);
      const map = await tmp.write('map.json', JSON.stringify({ 'x@y': 'id-x' }));
      expect((await (await loadStaticResolverFile(map)).resolve(['x@y'])).get('x@y')).toBe('id-x');
      const bad = await tmp.write('bad.json', '[1,2]');
      await expect(loadStaticResolverFile(bad)).rejects.toThrow('expected a JSON object of "upn": "object id" pairs');
    } finally {
      await tmp.remove();
    }
  });
});
