// What a phone camera sees of an invite's QR code: the SVG rendered as pixels in the page, read by
// a QR reader (jsQR) in Node.
import jsQR from 'jsqr';
import type { Locator } from '@playwright/test';

/** The text the QR code `svg` encodes, or undefined when no reader could find a code in it. */
export async function readQrCode(svg: Locator, size = 600): Promise<string | undefined> {
  const image = await svg.evaluate(async (element, size) => {
    const url = URL.createObjectURL(new Blob([element.outerHTML], { type: 'image/svg+xml' }));
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(img, 0, 0, size, size);
    URL.revokeObjectURL(url);
    // As one base64 string: an array of 1.44 million numbers crosses to Node value by value, which
    // took 54 s of a 60 s test on a loaded machine.
    const bytes = ctx.getImageData(0, 0, size, size).data;
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }, size);
  return jsQR(new Uint8ClampedArray(Buffer.from(image, 'base64')), size, size)?.data;
}
