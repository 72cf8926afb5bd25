import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CacheBus, InvalidationMessage } from '../contracts/cache-bus.js';

/**
 * The behaviour every `CacheBus` shares, run against each implementation (memory, Redis
 * pub/sub, PostgreSQL LISTEN/NOTIFY). A transport may split a `key` message with many
 * digests into several `key` messages for the same key id that together carry every digest
 * (PostgreSQL's NOTIFY payload limit); nothing else may change on the way.
 */

/** One isolated transport per test (e.g. a unique channel); every bus it connects shares it. */
export interface CacheBusTestTransport {
  /** A new bus instance on this transport, as a separate node would have it. */
  connect(): Promise<CacheBus>;
  /** Releases what `connect` opened (the suite closes the buses itself first). */
  dispose(): Promise<void>;
}

export interface CacheBusConformanceOptions {
  transport: () => Promise<CacheBusTestTransport>;
  /** false for an in-process bus: one instance only, cross-instance tests are left out. Default true. */
  multiInstance?: boolean;
}

const SAMPLES: InvalidationMessage[] = [
  { type: 'key', keyId: 'key_1', digests: ['d1', 'd2'] },
  { type: 'consumer', consumerId: 'con_1' },
  { type: 'workspace', workspaceId: 'ws_1' },
  { type: 'root_key', rootKeyId: 'rk_1' },
  { type: 'all' },
];

const recorder = () => {
  const seen: InvalidationMessage[] = [];
  return { seen, handler: (message: InvalidationMessage) => void seen.push(message) };
};

const WAIT = { timeout: 5_000, interval: 10 };

export function describeCacheBusConformance(name: string, options: CacheBusConformanceOptions): void {
  const { multiInstance = true } = options;

  describe(`CacheBus conformance: ${name}`, () => {
    const opened: { transport: CacheBusTestTransport; buses: CacheBus[] }[] = [];

    const setup = async (count: number) => {
      const transport = await options.transport();
      const buses: CacheBus[] = [];
      opened.push({ transport, buses });
      for (let i = 0; i < count; i++) buses.push(await transport.connect());
      return buses;
    };

    afterEach(async () => {
      for (const { transport, buses } of opened.splice(0)) {
        for (const bus of buses) await bus.close();
        await transport.dispose();
      }
    });

    it('delivers every message type unchanged to the publishing instance', async () => {
      const [bus] = await setup(1);
      if (bus === undefined) throw new Error('no bus');
      const { seen, handler } = recorder();
      bus.subscribe(handler);
      for (const message of SAMPLES) await bus.publish(message);
      await vi.waitFor(() => expect(seen).toHaveLength(SAMPLES.length), WAIT);
      expect(seen).toEqual(SAMPLES);
    });

    it('keeps the order of one publisher, even when it does not await each publish', async () => {
      const buses = await setup(multiInstance ? 2 : 1);
      const recorders = buses.map((bus) => {
        const r = recorder();
        bus.subscribe(r.handler);
        return r;
      });
      const sent = Array.from(
        { length: 50 },
        (_, i): InvalidationMessage => ({ type: 'consumer', consumerId: `con_${i}` }),
      );
      await Promise.all(sent.map((message) => buses[0]?.publish(message)));
      for (const { seen } of recorders) {
        await vi.waitFor(() => expect(seen).toHaveLength(sent.length), WAIT);
        expect(seen).toEqual(sent);
      }
    });

    it('stops delivering to an unsubscribed handler only', async () => {
      const [bus] = await setup(1);
      if (bus === undefined) throw new Error('no bus');
      const gone = recorder();
      const kept = recorder();
      const unsubscribe = bus.subscribe(gone.handler);
      bus.subscribe(kept.handler);
      unsubscribe();
      await bus.publish({ type: 'all' });
      await vi.waitFor(() => expect(kept.seen).toEqual([{ type: 'all' }]), WAIT);
      expect(gone.seen).toEqual([]);
    });

    it('carries every digest of a key with many digests', async () => {
      const [bus] = await setup(1);
      if (bus === undefined) throw new Error('no bus');
      const { seen, handler } = recorder();
      bus.subscribe(handler);
      const digests = Array.from({ length: 400 }, (_, i) => `${String(i).padStart(4, '0')}${'a'.repeat(60)}`);
      await bus.publish({ type: 'key', keyId: 'key_many', digests });
      await bus.publish({ type: 'all' });
      await vi.waitFor(() => expect(seen.at(-1)).toEqual({ type: 'all' }), WAIT);
      const received = seen.slice(0, -1).flatMap((message) => {
        expect(message).toMatchObject({ type: 'key', keyId: 'key_many' });
        return message.type === 'key' ? message.digests : [];
      });
      expect(received).toEqual(digests);
    });

    it('delivers nothing after close', async () => {
      const [bus] = await setup(1);
      if (bus === undefined) throw new Error('no bus');
      const { seen, handler } = recorder();
      bus.subscribe(handler);
      await bus.close();
      await bus.publish({ type: 'all' }).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toEqual([]);
    });

    if (!multiInstance) return;

    it('delivers a message published on one instance to every instance', async () => {
      const [a, b] = await setup(2);
      if (a === undefined || b === undefined) throw new Error('no bus');
      const onA = recorder();
      const onB = recorder();
      a.subscribe(onA.handler);
      b.subscribe(onB.handler);
      for (const message of SAMPLES) await a.publish(message);
      await vi.waitFor(() => expect(onB.seen).toHaveLength(SAMPLES.length), WAIT);
      await vi.waitFor(() => expect(onA.seen).toHaveLength(SAMPLES.length), WAIT);
      expect(onB.seen).toEqual(SAMPLES);
      expect(onA.seen).toEqual(SAMPLES);
    });

    it('stops delivery to a closed instance while the others keep receiving', async () => {
      const [a, b, c] = await setup(3);
      if (a === undefined || b === undefined || c === undefined) throw new Error('no bus');
      const onB = recorder();
      const onC = recorder();
      b.subscribe(onB.handler);
      c.subscribe(onC.handler);
      await b.close();
      await a.publish({ type: 'workspace', workspaceId: 'ws_after_close' });
      await a.publish({ type: 'all' });
      await vi.waitFor(() => expect(onC.seen).toHaveLength(2), WAIT);
      expect(onB.seen).toEqual([]);
    });
  });
}
