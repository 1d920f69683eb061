// Kind "profile" (code 1): an account's display name and colour; the latest applied one wins.
//
// Body wire format: varuint byte length + UTF-8 name, then 3 bytes of colour (r, g, b).
// Invariants: the name is 1..64 Unicode code points; it neither starts nor ends with a character
// that String.prototype.trim() removes (Unicode white space, line terminators and U+FEFF, not
// just ' '), and contains no U+0000–U+001F or U+007F (C1 controls are allowed); the colour is
// '#rrggbb' lowercase.

import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { KindSpec } from './kinds';
import { recordHistory } from './ledger-state';

export interface ProfileBody {
  name: string;
  colour: string;
}

export const MAX_NAME_CHARS = 64;

export function validateProfile(body: ProfileBody): string | undefined {
  const chars = [...body.name].length;
  if (chars === 0) return 'profile name is empty';
  if (chars > MAX_NAME_CHARS) return `profile name is longer than ${MAX_NAME_CHARS} characters`;
  if (body.name.trim() !== body.name) return 'profile name has leading or trailing spaces';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(body.name)) return 'profile name contains control characters';
  if (!/^#[0-9a-f]{6}$/.test(body.colour)) return 'profile colour must be #rrggbb in lowercase hex';
  return undefined;
}

export const profileKind: KindSpec<ProfileBody> = {
  name: 'profile',
  code: 1,
  encodeBody(body: ProfileBody, w: ByteWriter) {
    w.writeString(body.name);
    w.writeBytes(parseHex(body.colour.slice(1)) ?? new Uint8Array(3));
  },
  decodeBody(r: ByteReader) {
    const name = r.readString(MAX_NAME_CHARS * 4);
    const rgb = r.readBytes(3);
    if (name === undefined || !rgb) return undefined;
    return { name, colour: `#${toHex(rgb)}` };
  },
  validateBody: (body) => validateProfile(body),
  applyBody(state, entry, body) {
    state.profiles.set(entry.author, { name: body.name, colour: body.colour });
    recordHistory(state, entry.author, { entryId: entry.id, time: entry.time, kind: 'profile', status: 'applied' });
    return undefined;
  },
};
