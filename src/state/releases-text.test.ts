// The progress sentence a downloader reads ("3.2 of 50 MB from 2 peers").
import { describe, expect, it } from 'vitest';
import { transferText } from './releases.svelte';

describe('transferText', () => {
  it('says how much of the file arrived and from how many peers', () => {
    expect(transferText({ verified: 3_200_000, total: 50_000_000, peers: 2 })).toBe('3.2 of 50 MB from 2 peers');
    expect(transferText({ verified: 0, total: 1_500_000, peers: 1 })).toBe('0 of 1.5 MB from 1 peer');
    expect(transferText({ verified: 0, total: 1_500_000, peers: 0 })).toBe('0 of 1.5 MB from 0 peers');
  });
});
