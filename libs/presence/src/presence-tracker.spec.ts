import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../config/src/index.js';
import type { PresenceRepository } from './presence.repository.js';
import { PresenceTracker } from './presence-tracker.js';

/** Records what the tracker writes, instead of a database. */
class RecordingPresence {
  readonly writes: { cameOnline: number[]; wentOffline: number[] }[] = [];
  heartbeats = 0;
  removed = 0;
  failWrites = false;
  missing = true;

  heartbeat(): Promise<{ wasMissing: boolean }> {
    this.heartbeats += 1;
    const wasMissing = this.missing;
    this.missing = false;
    return Promise.resolve({ wasMissing });
  }

  writeTransitions(_instanceId: string, cameOnline: number[], wentOffline: number[]): Promise<void> {
    if (this.failWrites) return Promise.reject(new Error('database away'));
    this.writes.push({ cameOnline: [...cameOnline].sort((a, b) => a - b), wentOffline: [...wentOffline].sort((a, b) => a - b) });
    return Promise.resolve();
  }

  removeInstance(): Promise<void> {
    this.removed += 1;
    return Promise.resolve();
  }
}

const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 40));

function tracker(heartbeatMs = 100_000): { tracker: PresenceTracker; db: RecordingPresence } {
  const db = new RecordingPresence();
  const config = loadConfig({ NODE_ENV: 'test', PRESENCE_FLUSH_MS: '5', PRESENCE_HEARTBEAT_MS: String(heartbeatMs), PRESENCE_TTL_MS: String(heartbeatMs * 3) });
  return { tracker: new PresenceTracker(db as unknown as PresenceRepository, config), db };
}

describe('PresenceTracker', () => {
  it('writes nothing, not even a heartbeat, before the first connection', async () => {
    const { tracker: presence, db } = tracker();
    await settled();
    await presence.beforeApplicationShutdown();
    expect({ heartbeats: db.heartbeats, writes: db.writes.length, removed: db.removed }).toEqual({ heartbeats: 0, writes: 0, removed: 0 });
  });

  it('writes a connect storm of 10,000 sockets as one statement', async () => {
    const { tracker: presence, db } = tracker();
    for (let userId = 1; userId <= 10_000; userId += 1) presence.connected(userId);
    await settled();
    expect(db.writes).toHaveLength(1);
    expect(db.writes[0].cameOnline).toHaveLength(10_000);
    expect(db.heartbeats).toBe(1);
    await presence.beforeApplicationShutdown();
  });

  it('writes only transitions: a second socket, or a reconnect within the window, costs nothing', async () => {
    const { tracker: presence, db } = tracker();
    presence.connected(1);
    await settled();
    presence.connected(1);
    presence.disconnected(1);
    presence.connected(2);
    presence.disconnected(2);
    await settled();
    expect(db.writes).toEqual([{ cameOnline: [1], wentOffline: [] }]);
    presence.disconnected(1);
    await settled();
    expect(db.writes).toEqual([
      { cameOnline: [1], wentOffline: [] },
      { cameOnline: [], wentOffline: [1] },
    ]);
    await presence.beforeApplicationShutdown();
  });

  it('retries a failed write at the next heartbeat, and writes everyone again when its row went missing', async () => {
    const { tracker: presence, db } = tracker(100);
    db.failWrites = true;
    presence.connected(1);
    presence.connected(2);
    await settled();
    expect(db.writes).toEqual([]);
    db.failWrites = false;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(db.writes).toEqual([{ cameOnline: [1, 2], wentOffline: [] }]);
    // Another instance pruned this one (it stalled past its TTL): the next heartbeat finds its row new.
    db.missing = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(db.writes.at(-1)).toEqual({ cameOnline: [1, 2], wentOffline: [] });
    await presence.beforeApplicationShutdown();
  });

  it('removes its rows on shutdown and ignores sockets closing afterwards', async () => {
    const { tracker: presence, db } = tracker();
    presence.connected(1);
    await settled();
    await presence.beforeApplicationShutdown();
    presence.disconnected(1);
    await settled();
    expect(db.removed).toBe(1);
    expect(db.writes).toEqual([{ cameOnline: [1], wentOffline: [] }]);
  });
});
