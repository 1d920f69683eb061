// The invite's QR code as SVG, made once per link: drawing it costs ~100 ms on a slow phone
// (qrcode's mask and segment search), and the Economy view, which shows it, is opened again and
// again; the link of an economy never changes.
import QRCode from 'qrcode';

const made = new Map<string, Promise<string>>();
/** Economies a person has open in one session are few; more only costs a redraw. */
const KEPT = 8;

export function inviteQrSvg(link: string): Promise<string> {
  let svg = made.get(link);
  if (!svg) {
    // The short binary invite (about 140 characters) leaves room for level Q (25% recoverable),
    // which copes with glare and moiré when a phone scans a laptop screen; drawn at 18rem (288 CSS
    // px), each module is 5 px or more. The quiet zone is the standard 4 modules.
    svg = QRCode.toString(link, { type: 'svg', margin: 4, errorCorrectionLevel: 'Q' });
    made.set(link, svg);
    svg.catch(() => made.delete(link));
    if (made.size > KEPT) made.delete(made.keys().next().value!);
  }
  return svg;
}
