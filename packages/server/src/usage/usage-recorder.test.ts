import { describe, expect, it } from 'vitest';
import type { UsageCount } from '../store/usage-records.js';
import { UsageRecorder } from './usage-recorder.js';

const key = { id: 'key_a', organizationId: 'org_1', userId: null };
const MINUTE = 60_000;

/** A recorder whose writes land in `written` (summed per bucket), failing while `failing` is set. */
function recorder() {
  const written = new Map<string, number>();
  const state = { failing: false, errors: 0, duringWrite: () => {} };
  const usage = new UsageRecorder(
    async (counts: readonly UsageCount[]) => {
      await Promise.resolve();
      state.duringWrite();
      if (state.failing) throw new Error('store down');
      for (const c of counts) {
        const id = `${c.keyId} ${c.minute} ${c.code}${c.tag ? ` ${c.tag}` : ''}`;
        written.set(id, (written.get(id) ?? 0) + c.n);
      }
    },
    () => state.errors++,
    60_000,
  );
  const verify = (code: string, at: number, tags?: string[]) => usage.count({ key, code, creditsSpent: code === 'VALID' ? 1 : 0, tags, at });
  return { usage, written, state, verify };
}

describe('UsageRecorder', () => {
  it('counts per key, minute and code, and per tag once per verify', async () => {
    const { usage, written, verify } = recorder();
    for (let i = 0; i < 5; i++) verify('VALID', 10 * MINUTE + i);
    verify('RATE_LIMITED', 10 * MINUTE + 7);
    verify('VALID', 11 * MINUTE, ['beta', 'beta']);
    await usage.flush();
    expect(Object.fromEntries(written)).toEqual({
      [`key_a ${10 * MINUTE} VALID`]: 5,
      [`key_a ${10 * MINUTE} RATE_LIMITED`]: 1,
      [`key_a ${11 * MINUTE} VALID`]: 1,
      [`key_a ${11 * MINUTE} VALID beta`]: 1,
    });
  });

  it('loses no count and counts none twice across flushes, failed flushes included', async () => {
    const { usage, written, state, verify } = recorder();
    const at = 10 * MINUTE;
    verify('VALID', at);
    await usage.flush();
    verify('VALID', at);
    verify('VALID', at);
    state.failing = true;
    // Counted while the batch is being written (and then fails and is merged back).
    state.duringWrite = () => verify('VALID', at);
    await usage.flush();
    expect(state.errors).toBe(1);
    state.duringWrite = () => {};
    verify('VALID', at);
    state.failing = false;
    verify('VALID', at);
    await usage.flush();
    verify('VALID', at);
    await usage.flush();
    expect(written.get(`key_a ${at} VALID`)).toBe(7);
  });
});
