import { describe, expect, it } from 'vitest';
import { digest, type GetStore, key, seedTenant, T0 } from './fixtures.js';

/** Key rolls as rotation telemetry sees them: roll refs on lookups, `rolls`, `setGrace`. */
export function describeKeyRollCases(store: GetStore): void {
  describe('key rolls', () => {
    const rolledTwice = async () => {
      const { ws, api } = await seedTenant(store());
      const k = key(ws.id, api.id);
      await store().keys.create(k);
      const second = digest();
      const third = digest();
      await store().keys.roll(ws.id, k.id, { digest: second, hint: 'h2', graceUntil: T0 + 5000 }, T0 + 10);
      await store().keys.roll(ws.id, k.id, { digest: third, hint: 'h3', graceUntil: T0 + 9000 }, T0 + 20);
      return { ws, k, first: k.digest, second, third };
    };

    it('names the roll of each secret: its own for an old digest, the latest for the current one', async () => {
      const { ws, k, first, second, third } = await rolledTwice();
      const roll = async (d: string) => (await store().keys.findByDigest(d))[0]?.roll;
      await expect(roll(first)).resolves.toEqual({ rolledAt: T0 + 10, graceUntil: T0 + 5000 });
      await expect(roll(second)).resolves.toEqual({ rolledAt: T0 + 20, graceUntil: T0 + 9000 });
      await expect(roll(third)).resolves.toEqual({ rolledAt: T0 + 20, graceUntil: T0 + 9000 });
      await expect(store().keys.rolls(ws.id, k.id)).resolves.toEqual([
        { rolledAt: T0 + 20, graceUntil: T0 + 9000 },
        { rolledAt: T0 + 10, graceUntil: T0 + 5000 },
      ]);
      const fresh = key(ws.id, k.apiId);
      await store().keys.create(fresh);
      await expect(store().keys.rolls(ws.id, fresh.id)).resolves.toEqual([]);
      expect((await store().keys.findByDigest(fresh.digest))[0]).not.toHaveProperty('roll');
      await expect(store().keys.rolls(ws.id, 'key_unknown')).resolves.toBeNull();
    });

    it('extends only the latest roll, and only while its grace runs', async () => {
      const { ws, k, first, second } = await rolledTwice();
      await expect(
        store().keys.setGrace(ws.id, k.id, { type: 'extend', graceUntil: T0 + 20_000 }, T0 + 100),
      ).resolves.toEqual([
        { rolledAt: T0 + 20, graceUntil: T0 + 20_000 },
        { rolledAt: T0 + 10, graceUntil: T0 + 5000 },
      ]);
      await expect(store().keys.findByDigest(second)).resolves.toMatchObject([{ graceUntil: T0 + 20_000 }]);
      await expect(store().keys.findByDigest(first)).resolves.toMatchObject([{ graceUntil: T0 + 5000 }]);
      // Past its deadline a grace cannot be revived.
      await expect(
        store().keys.setGrace(ws.id, k.id, { type: 'extend', graceUntil: T0 + 90_000 }, T0 + 20_000),
      ).resolves.toMatchObject([{ graceUntil: T0 + 20_000 }, { graceUntil: T0 + 5000 }]);
    });

    it('ends every grace still running, and leaves ended ones as they were', async () => {
      const { ws, k, first, second } = await rolledTwice();
      await expect(store().keys.setGrace(ws.id, k.id, { type: 'end' }, T0 + 6000)).resolves.toEqual([
        { rolledAt: T0 + 20, graceUntil: T0 + 6000 },
        { rolledAt: T0 + 10, graceUntil: T0 + 5000 },
      ]);
      await expect(store().keys.findByDigest(second)).resolves.toMatchObject([{ graceUntil: T0 + 6000 }]);
      await expect(store().keys.findByDigest(first)).resolves.toMatchObject([{ graceUntil: T0 + 5000 }]);
    });

    it('changes nothing of another workspace', async () => {
      const { k, second } = await rolledTwice();
      const other = await seedTenant(store());
      await expect(store().keys.rolls(other.ws.id, k.id)).resolves.toBeNull();
      await expect(store().keys.setGrace(other.ws.id, k.id, { type: 'end' }, T0 + 100)).resolves.toBeNull();
      await expect(store().keys.findByDigest(second)).resolves.toMatchObject([{ graceUntil: T0 + 9000 }]);
    });
  });
}
