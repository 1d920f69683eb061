// Messages of our own on a room's WebRTC links, beside y-webrtc's (docs/RELEASES-WIRE.md).
// A room that wants them binds a handler to each of its links (room.ts, `side` option); the
// framing layer (./chunked-peer.ts) hands every whole message whose first byte is
// SIDE_CHANNEL_TYPE to that handler instead of to the sync guard and y-webrtc. On a link with no
// handler (every economy, job and estimation room) such a message reaches the sync guard, which
// drops it as an unknown message type — as before this existed.
//
// y-webrtc's message types are 0 (sync), 1 (awareness), 3 (query awareness), 4 (bc peer id), each
// a one-byte varuint; 0x48 is none of them and not the first byte of any of them.
export const SIDE_CHANNEL_TYPE = 0x48;

const handlers = new WeakMap<object, (message: Uint8Array) => void>();

export function bindSideChannel(peer: object, handler: (message: Uint8Array) => void): void {
  handlers.set(peer, handler);
}

export function sideChannelOf(peer: object): ((message: Uint8Array) => void) | undefined {
  return handlers.get(peer);
}

export function isSideMessage(message: Uint8Array): boolean {
  return message.length > 0 && message[0] === SIDE_CHANNEL_TYPE;
}
