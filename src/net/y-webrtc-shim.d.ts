// simple-peer ships no types, and y-webrtc imports its prebuilt bundle by this exact specifier.
// Only the class itself matters here: chunked-peer.ts patches its prototype and describes the
// members it touches in its own `ChunkablePeer` interface.
declare module 'simple-peer/simplepeer.min.js' {
  const Peer: { new (options?: Record<string, unknown>): unknown; prototype: object };
  export default Peer;
}
