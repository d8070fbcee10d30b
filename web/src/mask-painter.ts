/**
 * Paints the area to edit over the image. Strokes are drawn opaque on a canvas at the image's
 * natural size (shown translucent by CSS); the mask PNG the API wants is the inverse: opaque where
 * nothing was painted, alpha 0 where the edit may happen.
 */
export class MaskPainter {
  private painting = false;
  private last: { x: number; y: number } | null = null;
  dirty = false;
  brush = 40;
  erase = false;

  constructor(private readonly canvas: HTMLCanvasElement) {
    canvas.addEventListener('pointerdown', (e) => {
      this.painting = true;
      canvas.setPointerCapture(e.pointerId);
      this.stroke(e);
    });
    canvas.addEventListener('pointermove', (e) => { if (this.painting) this.stroke(e); });
    const stop = () => { this.painting = false; this.last = null; };
    canvas.addEventListener('pointerup', stop);
    canvas.addEventListener('pointercancel', stop);
  }

  reset(width: number, height: number) {
    this.canvas.width = width;
    this.canvas.height = height;
    this.clear();
  }

  clear() {
    this.canvas.getContext('2d')!.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.dirty = false;
  }

  private stroke(e: PointerEvent) {
    const rect = this.canvas.getBoundingClientRect();
    const scale = this.canvas.width / rect.width;
    const p = { x: (e.clientX - rect.left) * scale, y: (e.clientY - rect.top) * scale };
    const ctx = this.canvas.getContext('2d')!;
    ctx.globalCompositeOperation = this.erase ? 'destination-out' : 'source-over';
    ctx.strokeStyle = ctx.fillStyle = '#ff2d55';
    ctx.lineWidth = this.brush * scale;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo((this.last ?? p).x, (this.last ?? p).y);
    ctx.lineTo(p.x + 0.01, p.y);
    ctx.stroke();
    this.last = p;
    if (!this.erase) this.dirty = true;
  }

  /** The mask PNG, or undefined when nothing is painted. */
  async toMask(): Promise<Blob | undefined> {
    if (!this.dirty) return undefined;
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.globalCompositeOperation = 'destination-out';
    ctx.drawImage(this.canvas, 0, 0);
    return new Promise((resolve) => out.toBlob((b) => resolve(b ?? undefined), 'image/png'));
  }
}
