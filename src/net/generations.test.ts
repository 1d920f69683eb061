import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GENERATIONS, checkGenerationClock, generationAt, generationDocumentName, generationRoomName, generationsToJoin,
  isDocumentNameOf, msUntilGenerationsChange,
} from './generations';

const WEEK = 7 * 24 * 60 * 60_000;
const OVERLAP = 10 * 60_000;
const ID = 'ab'.repeat(16);

describe('document generations', () => {
  it('defaults to weeks with a ten-minute overlap', () => {
    expect(DEFAULT_GENERATIONS).toEqual({ generationMs: WEEK, overlapMs: OVERLAP });
    expect(generationAt(0)).toBe(0);
    expect(generationAt(WEEK - 1)).toBe(0);
    expect(generationAt(WEEK)).toBe(1);
    expect(generationAt(2_000_000_000_000)).toBe(Math.floor(2_000_000_000_000 / WEEK));
  });

  it('names the room and the cached document after the generation', () => {
    expect(generationRoomName(ID, 2900)).toBe(`hourmesh:v2:${ID}:g2900`);
    expect(generationDocumentName(ID, 2900)).toBe(`hourmesh-doc-${ID}-g2900`);
    expect(isDocumentNameOf(ID, `hourmesh-doc-${ID}-g2900`)).toBe(true);
    expect(isDocumentNameOf(ID, `hourmesh-doc-${ID}`)).toBe(true);
    expect(isDocumentNameOf(ID, `hourmesh-doc-${'cd'.repeat(16)}-g2900`)).toBe(false);
    expect(isDocumentNameOf(ID, `hourmesh-doc-${ID}x`)).toBe(false);
  });

  it('joins the previous generation during the first overlap and the next during the last', () => {
    const g = 2900;
    const start = g * WEEK;
    expect(generationsToJoin(start)).toEqual([g - 1, g]);
    expect(generationsToJoin(start + OVERLAP - 1)).toEqual([g - 1, g]);
    expect(generationsToJoin(start + OVERLAP)).toEqual([g]);
    expect(generationsToJoin(start + WEEK / 2)).toEqual([g]);
    expect(generationsToJoin(start + WEEK - OVERLAP - 1)).toEqual([g]);
    expect(generationsToJoin(start + WEEK - OVERLAP)).toEqual([g, g + 1]);
    expect(generationsToJoin(start + WEEK - 1)).toEqual([g, g + 1]);
    expect(generationsToJoin(start + WEEK)).toEqual([g, g + 1]);
  });

  it('says when the answer next changes', () => {
    const start = 2900 * WEEK;
    expect(msUntilGenerationsChange(start)).toBe(OVERLAP);
    expect(msUntilGenerationsChange(start + OVERLAP)).toBe(WEEK - 2 * OVERLAP);
    expect(msUntilGenerationsChange(start + WEEK - OVERLAP)).toBe(2 * OVERLAP);
    for (const t of [start, start + 5, start + OVERLAP, start + WEEK - OVERLAP - 3, start + WEEK - 1]) {
      const before = generationsToJoin(t).join();
      const wait = msUntilGenerationsChange(t);
      expect(generationsToJoin(t + wait - 1).join()).toBe(before);
      expect(generationsToJoin(t + wait).join()).not.toBe(before);
    }
  });

  it('lets two peers whose clocks differ by up to the overlap always share a room', () => {
    const clocks = [DEFAULT_GENERATIONS, { generationMs: 20_000, overlapMs: 4_000 }, { generationMs: 7, overlapMs: 3 }];
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const clock of clocks) {
      const boundary = 1000 * clock.generationMs;
      const samples: Array<[number, number]> = [];
      for (let i = 0; i < 2000; i++) {
        const t = boundary + Math.floor((random() - 0.5) * 4 * clock.overlapMs);
        samples.push([t, t + Math.floor((random() * 2 - 1) * clock.overlapMs)]);
      }
      // The extremes: exactly the overlap apart, on either side of a boundary.
      samples.push([boundary - 1, boundary - 1 + clock.overlapMs], [boundary - clock.overlapMs, boundary], [boundary + clock.overlapMs - 1, boundary - 1]);
      for (const [a, b] of samples) {
        const shared = generationsToJoin(a, clock).filter((g) => generationsToJoin(b, clock).includes(g));
        expect(shared.length, `clocks ${a} and ${b}`).toBeGreaterThan(0);
      }
    }
  });

  it('never joins more than two generations', () => {
    const clock = { generationMs: 20_000, overlapMs: 4_000 };
    for (let t = 0; t < 60_000; t += 97) expect(generationsToJoin(t, clock).length).toBeLessThanOrEqual(2);
  });

  it('refuses an overlap that would put a peer in three generations', () => {
    expect(() => checkGenerationClock({ generationMs: 1000, overlapMs: 500 })).toThrow();
    expect(checkGenerationClock({ generationMs: 20_000, overlapMs: 4_000 })).toEqual({ generationMs: 20_000, overlapMs: 4_000 });
  });
});
