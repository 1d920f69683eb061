// Moving a release's file between peers over an in-memory relay: honest transfers from one and
// several servers, resuming, and what hostile peers can and cannot do (release-swarm.ts header).
import { describe, expect, it } from 'vitest';
import { describeFile, type ReleaseFileInfo } from './release-file';
import { MemoryChunkStore } from './release-store';
import { MAX_SERVING_PER_PEER, MAX_STRIKES, PER_PEER_IN_FLIGHT, ReleaseSwarm, type SwarmLink } from './release-swarm';
import { bitfieldBytes, decodeWire, encodeWire, HASH_BYTES, NOPE_NOT_HELD, OP, RELEASE_WIRE_TYPE, type WireMessage } from './release-wire';
import { seededBytes } from './seeded-bytes';

const CHUNK = 4096;
const SIZE = 10 * CHUNK + 123; // 11 chunks, the last one short
const FILE = seededBytes(SIZE, 7);

async function info(): Promise<ReleaseFileInfo & { hashes: Uint8Array }> {
  return describeFile(FILE, CHUNK);
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** Two-way link between swarms (or a swarm and a scripted peer), delivering asynchronously. */
function link(a: { id: string; onMessage: (from: string, m: Uint8Array) => void }, b: { id: string; onMessage: (from: string, m: Uint8Array) => void }) {
  const toB: SwarmLink = { id: b.id, send: (m) => void tick().then(() => b.onMessage(a.id, m.slice())) };
  const toA: SwarmLink = { id: a.id, send: (m) => void tick().then(() => a.onMessage(b.id, m.slice())) };
  return { toA, toB };
}

function node(id: string, swarm: ReleaseSwarm) {
  return { id, swarm, onMessage: (from: string, m: Uint8Array) => swarm.receive(from, m) };
}

function connect(x: ReturnType<typeof node>, y: ReturnType<typeof node>): void {
  const { toA, toB } = link(x, y);
  x.swarm.addLink(toB);
  y.swarm.addLink(toA);
}

async function publisher(account = 'alice') {
  const file = await info();
  return node(account, await ReleaseSwarm.seed({ file, account, store: new MemoryChunkStore() }, FILE));
}

async function downloader(account: string, store = new MemoryChunkStore()) {
  return node(account, await ReleaseSwarm.open({ file: await info(), account, store }));
}

/**
 * A scripted peer: answers with `respond` (null = stay silent). It holds the true hash list so it
 * can pass the first check and then misbehave on chunks.
 */
function scripted(id: string, respond: (m: WireMessage, send: (m: WireMessage) => void) => void, hashes: Uint8Array) {
  const n = hashes.length / HASH_BYTES;
  let out: SwarmLink | null = null;
  const peer = {
    id,
    sent: [] as WireMessage[],
    received: [] as WireMessage[],
    onMessage(_from: string, bytes: Uint8Array) {
      const m = decodeWire(bytes, n);
      if (!m) return;
      peer.received.push(m);
      respond(m, (reply) => out!.send(encodeWire(reply)));
    },
    attach(target: ReturnType<typeof node>) {
      const { toA, toB } = link(peer, target);
      out = toB;
      target.swarm.addLink(toA);
      out.send(encodeWire({ op: 'hello', account: id, have: new Uint8Array(bitfieldBytes(n)).fill(0xff) }));
    },
  };
  return peer;
}

describe('release swarm: honest transfers', () => {
  it('moves the file from the publisher, verified, and counts the bytes for the publisher', async () => {
    const pub = await publisher();
    const bob = await downloader('bob');
    connect(pub, bob);
    await bob.swarm.download();
    expect(await bob.swarm.assemble()).toEqual(FILE);
    expect(bob.swarm.progress()).toMatchObject({ verifiedBytes: SIZE, totalBytes: SIZE, complete: true, byAccount: { alice: SIZE } });
  });

  it('fetches from two peers at once, and both are counted', async () => {
    const pub = await publisher();
    const bob = await downloader('bob');
    connect(pub, bob);
    await bob.swarm.download();
    const carol = await downloader('carol');
    connect(pub, carol);
    connect(bob, carol);
    await carol.swarm.download();
    expect(await carol.swarm.assemble()).toEqual(FILE);
    const { byAccount, servingPeers } = carol.swarm.progress();
    expect(servingPeers).toBe(2);
    expect(byAccount.alice! > 0 && byAccount.bob! > 0).toBe(true);
    expect(byAccount.alice! + byAccount.bob!).toBe(SIZE);
  });

  it('resumes after a reload: only the missing chunks are asked, the counts are kept', async () => {
    const pub = await publisher();
    const store = new MemoryChunkStore();
    const first = await downloader('bob', store);
    // A link that stops carrying chunks after four: the "tab" is closed then, and its connection
    // with it: nothing still on the way is delivered after the close (on a busy machine a request
    // of the closed tab used to reach the publisher after the reload's link was made, and the
    // unasked chunk it brought made the new download drop the publisher).
    let chunks = 0;
    let open = true;
    const toPub: SwarmLink = { id: 'alice', send: (m) => void tick().then(() => open && pub.swarm.receive('bob', m.slice())) };
    const toBob: SwarmLink = {
      id: 'bob',
      send: (m) => {
        if (m[1] === OP.CHUNK && ++chunks > 4) return;
        void tick().then(() => open && first.swarm.receive('alice', m.slice()));
      },
    };
    first.swarm.addLink(toPub);
    pub.swarm.addLink(toBob);
    void first.swarm.download();
    while (first.swarm.progress().verifiedBytes < 4 * CHUNK) await tick();
    open = false;
    first.swarm.close();
    pub.swarm.removeLink('bob');
    expect(store.chunks.size).toBe(4);

    const again = await downloader('bob', store);
    expect(again.swarm.progress().verifiedBytes).toBe(4 * CHUNK);
    const asked: number[] = [];
    const spy = { ...pub, onMessage: (from: string, m: Uint8Array) => {
      const d = decodeWire(m, 11);
      if (d?.op === 'get') asked.push(d.index);
      pub.swarm.receive(from, m);
    } };
    connect(spy, again);
    await again.swarm.download();
    expect(await again.swarm.assemble()).toEqual(FILE);
    expect(asked.sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(again.swarm.progress().byAccount).toEqual({ alice: SIZE });
  });
});

describe('release swarm: hostile peers', () => {
  it('rejects a chunk with wrong bytes: not kept, not counted, asked of another peer', async () => {
    const { hashes } = await info();
    const liar = scripted('mallory', (m, send) => {
      if (m.op === 'hashes-get') send({ op: 'hashes', hashes });
      if (m.op === 'get') send({ op: 'chunk', request: m.request, index: m.index, bytes: seededBytes(m.index === 10 ? 123 : CHUNK, 99) });
    }, hashes);
    const bob = await downloader('bob');
    liar.attach(bob); // first, so it is asked first
    const pub = await publisher();
    connect(pub, bob);
    await bob.swarm.download();
    expect(await bob.swarm.assemble()).toEqual(FILE);
    expect(bob.swarm.stats.chunksRejected).toBeGreaterThanOrEqual(1);
    expect(bob.swarm.progress().byAccount).toEqual({ alice: SIZE });
  });

  it('rejects a hash list that does not match the signed root and asks another peer', async () => {
    const { hashes } = await info();
    const wrong = hashes.slice();
    wrong[5]! ^= 1;
    let chunksAsked = 0;
    const liar = scripted('mallory', (m, send) => {
      if (m.op === 'hashes-get') send({ op: 'hashes', hashes: wrong });
      if (m.op === 'get') chunksAsked += 1;
    }, hashes);
    const bob = await downloader('bob');
    liar.attach(bob);
    await tick();
    await tick();
    const pub = await publisher();
    connect(pub, bob);
    await bob.swarm.download();
    expect(await bob.swarm.assemble()).toEqual(FILE);
    expect(bob.swarm.stats.hashListsRejected).toBe(1);
    expect(chunksAsked).toBe(0); // banned before any chunk was asked of it
  });

  it('forgets the claims of a peer that says it holds chunks it does not, and bans it', async () => {
    const { hashes } = await info();
    const liar = scripted('mallory', (m, send) => {
      if (m.op === 'hashes-get') send({ op: 'hashes', hashes });
      if (m.op === 'get') send({ op: 'nope', request: m.request, index: m.index, reason: NOPE_NOT_HELD });
    }, hashes);
    const bob = await downloader('bob');
    liar.attach(bob);
    const pub = await publisher();
    connect(pub, bob);
    await bob.swarm.download();
    expect(await bob.swarm.assemble()).toEqual(FILE);
    expect(bob.swarm.stats.bans).toBe(1);
    expect(liar.received.filter((m) => m.op === 'get').length).toBeLessThanOrEqual(PER_PEER_IN_FLIGHT + MAX_STRIKES - 1);
    expect(bob.swarm.progress().byAccount).toEqual({ alice: SIZE });
  });

  it('gives up on a peer that claims chunks and stays silent (request timeout)', async () => {
    const { hashes } = await info();
    let now = 0;
    const liar = scripted('mallory', (m, send) => {
      if (m.op === 'hashes-get') send({ op: 'hashes', hashes });
    }, hashes);
    const bob = node('bob', await ReleaseSwarm.open({ file: await info(), account: 'bob', store: new MemoryChunkStore(), now: () => now }));
    liar.attach(bob);
    const done = bob.swarm.download();
    while (liar.received.filter((m) => m.op === 'get').length < 4) await tick();
    const pub = await publisher();
    connect(pub, bob);
    now = 60_000; // the next 1 s sweep finds the requests to mallory expired
    await done;
    expect(await bob.swarm.assemble()).toEqual(FILE);
    expect(bob.swarm.progress().byAccount).toEqual({ alice: SIZE });
  });

  it('rejects a chunk longer than the chunk (an oversized message) and unsolicited chunks', async () => {
    const { hashes } = await info();
    const liar = scripted('mallory', (m, send) => {
      if (m.op === 'hashes-get') send({ op: 'hashes', hashes });
      if (m.op === 'get') {
        const real = FILE.subarray(m.index * CHUNK, m.index * CHUNK + (m.index === 10 ? 123 : CHUNK));
        const padded = new Uint8Array(real.length + 1024 * 1024);
        padded.set(real);
        send({ op: 'chunk', request: m.request, index: m.index, bytes: padded });
      }
    }, hashes);
    const bob = await downloader('bob');
    liar.attach(bob);
    const pub = await publisher();
    connect(pub, bob);
    await bob.swarm.download();
    expect(bob.swarm.stats.chunksRejected).toBeGreaterThanOrEqual(1);
    expect(bob.swarm.progress().byAccount).toEqual({ alice: SIZE });

    // A chunk nobody asked for: a strike, never kept.
    const carol = await downloader('carol');
    const pushy = scripted('trudy', () => {}, hashes);
    pushy.attach(carol);
    const before = carol.swarm.stats.strikes;
    carol.swarm.receive('trudy', encodeWire({ op: 'chunk', request: 1, index: 0, bytes: FILE.subarray(0, CHUNK) }));
    await tick();
    expect(carol.swarm.stats.strikes).toBe(before + 1);
    expect(carol.swarm.progress().verifiedBytes).toBe(0);
  });

  it('bounds what a flood of requests makes it serve', async () => {
    const file = await info();
    const store = new MemoryChunkStore();
    const pub = node('alice', await ReleaseSwarm.seed({ file, account: 'alice', store }, FILE));
    // Reads take a while, as from IndexedDB: the flood arrives while they are pending.
    const getChunk = store.getChunk.bind(store);
    store.getChunk = async (i) => {
      await new Promise((r) => setTimeout(r, 20));
      return getChunk(i);
    };
    const answers: WireMessage[] = [];
    const flooder: SwarmLink = { id: 'flood', send: (m) => answers.push(decodeWire(m, 11)!) };
    pub.swarm.addLink(flooder);
    pub.swarm.receive('flood', encodeWire({ op: 'hello', account: 'flood', have: new Uint8Array(2) }));
    for (let r = 0; r < 200; r++) pub.swarm.receive('flood', encodeWire({ op: 'get', request: r, index: r % 11 }));
    await new Promise((r) => setTimeout(r, 100));
    const chunks = answers.filter((m) => m.op === 'chunk').length;
    expect(chunks).toBe(MAX_SERVING_PER_PEER);
    expect(pub.swarm.stats.requestsDropped).toBe(200 - MAX_SERVING_PER_PEER);
  });

  it('decodes only well-formed messages of this version', () => {
    const n = 11;
    expect(decodeWire(new Uint8Array([0, 1, 2]), n)).toBeNull(); // a y-webrtc message
    expect(decodeWire(new Uint8Array([RELEASE_WIRE_TYPE, 99]), n)).toBeNull();
    expect(decodeWire(new Uint8Array([RELEASE_WIRE_TYPE, OP.HAVE, 0, 0, 0]), n)).toBeNull();
    const hello = encodeWire({ op: 'hello', account: 'bob', have: new Uint8Array(2) });
    expect(decodeWire(hello, n)).toMatchObject({ op: 'hello', account: 'bob' });
    expect(decodeWire(hello, 30)).toBeNull(); // bitfield of the wrong length
    const badVersion = hello.slice();
    badVersion[2] = 2;
    expect(decodeWire(badVersion, n)).toBeNull();
    expect(decodeWire(encodeWire({ op: 'hashes', hashes: new Uint8Array(32 * 10) }), n)).toBeNull();
    const badUtf8 = hello.slice();
    badUtf8[4] = 0xff;
    expect(decodeWire(badUtf8, n)).toBeNull();
  });
});
