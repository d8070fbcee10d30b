import { parseColor, type RGB } from '../../src/backends/local/parse/colors.ts';
import type { EditOp, EditPlan } from '../../src/backends/local/plan.ts';

/**
 * Compares a plan with a table's expectation. Signatures name an operation and the parameters that
 * matter to a reader: `rotate:90`, `bg:color:white`, `recolor:red->green:cup` ("?" for an unnamed
 * source colour, "*" for no object), `resize:2x`; colours by English name, compared by hue and
 * lightness so that "light blue" read as a lighter blue matches `lightblue`.
 */
export function matches(plan: EditPlan, expected: string[]): string | null {
  if (plan.ops.length !== expected.length) return `expected ${expected.length} operation(s) [${expected.join(', ')}], got [${plan.ops.map(show).join(', ')}]`;
  for (let i = 0; i < expected.length; i++) {
    const why = matchOne(plan.ops[i]!, expected[i]!);
    if (why) return `operation ${i + 1}: ${why} (plan: [${plan.ops.map(show).join(', ')}])`;
  }
  return null;
}

function hsv([r, g, b]: RGB): [number, number, number] {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  let h = 0;
  if (d > 0) h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return [(h * 60 + 360) % 360, max === 0 ? 0 : d / max, max / 255];
}

export function sameColor(actual: RGB | null | undefined, name: string): boolean {
  const want = parseColor(name);
  if (!want || !actual) return false;
  const [h1, s1, v1] = hsv(actual);
  const [h2, s2, v2] = hsv(want);
  if (s1 < 0.15 || s2 < 0.15) return s1 < 0.25 && s2 < 0.25 && Math.abs(v1 - v2) < 0.3;
  const dh = Math.min(Math.abs(h1 - h2), 360 - Math.abs(h1 - h2));
  return dh <= 30;
}

const hexOf = (c: RGB) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

export function show(op: EditOp): string {
  switch (op.op) {
    case 'brightness': return `brightness:${op.factor >= 1 ? '+' : '-'}`;
    case 'contrast': return `contrast:${op.factor >= 1 ? '+' : '-'}`;
    case 'saturation': return `saturation:${op.factor >= 1 ? '+' : '-'}`;
    case 'temperature': return `temperature:${op.amount >= 0 ? '+' : '-'}`;
    case 'hue': return `hue:${op.degrees}`;
    case 'tint': return `tint:${hexOf(op.color)}`;
    case 'rotate': return `rotate:${op.degrees}`;
    case 'flip': return `flip:${op.axis[0]}`;
    case 'resize': return 'scale' in op ? `resize:${+op.scale.toFixed(3)}x` : 'longest' in op ? `resize:${op.longest}` : 'requested' in op ? 'resize:size' : `resize:${op.width ?? ''}x${op.height ?? ''}`;
    case 'crop-aspect': return `crop:${op.width}:${op.height}`;
    case 'pixelate': return op.region === 'all' ? 'pixelate' : `pixelate:${op.region}`;
    case 'background': return op.action === 'color' ? `bg:color:${hexOf(op.color)}` : `bg:${op.action}`;
    case 'recolor': return `recolor:${op.from ? hexOf(op.from) : '?'}->${hexOf(op.to)}:${op.object ?? '*'}${op.scope === 'mask' ? '(mask)' : ''}`;
    case 'text': return op.color ? `text:${hexOf(op.color)}` : 'text';
    case 'splash': return `splash:${hexOf(op.keep)}`;
    default: return op.op;
  }
}

function matchOne(op: EditOp, want: string): string | null {
  const [kind, ...rest] = want.split(':');
  const arg = rest.join(':');
  const fail = `expected ${want}, got ${show(op)}`;
  const ok = (cond: boolean) => (cond ? null : fail);
  switch (kind) {
    case 'grayscale': case 'sepia': case 'invert': case 'trim': case 'border': case 'pad': case 'blur': case 'sharpen': case 'denoise': case 'vignette': case 'watermark':
      return ok(op.op === kind);
    case 'brightness': case 'contrast': case 'saturation':
      return ok(op.op === kind && (arg === '+') === ((op as { factor: number }).factor >= 1));
    case 'temperature': return ok(op.op === 'temperature' && (arg === '+') === (op.amount >= 0));
    case 'hue': return ok(op.op === 'hue' && op.degrees === Number(arg));
    case 'tint': return ok(op.op === 'tint' && sameColor(op.color, arg));
    case 'rotate': return ok(op.op === 'rotate' && op.degrees === Number(arg));
    case 'flip': return ok(op.op === 'flip' && op.axis[0] === arg);
    case 'resize': {
      if (op.op !== 'resize') return fail;
      if (!arg) return null;
      if (arg.endsWith('x') && !arg.includes('x', 0) === false && /^\d+(\.\d+)?x$/.test(arg)) return ok('scale' in op && Math.abs(op.scale - Number(arg.slice(0, -1))) < 1e-6);
      const wh = /^(\d+)x(\d+)$/.exec(arg);
      if (wh) return ok('width' in op && op.width === Number(wh[1]) && 'height' in op && op.height === Number(wh[2]));
      if (arg.endsWith('w')) return ok(('width' in op && op.width === Number(arg.slice(0, -1)) && !('height' in op && op.height)) || ('longest' in op && op.longest === Number(arg.slice(0, -1))));
      if (arg.endsWith('h')) return ok('height' in op && op.height === Number(arg.slice(0, -1)));
      return ok('longest' in op && op.longest === Number(arg));
    }
    case 'crop': { const [w, h] = arg.split(':').map(Number); return ok(op.op === 'crop-aspect' && op.width * h! === op.height * w!); }
    case 'pixelate': return ok(op.op === 'pixelate' && op.region === (arg || 'all'));
    case 'bg': {
      if (op.op === 'pixelate') return ok(arg === 'pixelate' && op.region === 'background');
      if (op.op !== 'background') return fail;
      const [action, color] = arg.split(':');
      if (action === 'color') return ok(op.action === 'color' && sameColor(op.color, color!));
      return ok(op.action === action);
    }
    case 'recolor': {
      const m = /^(.+?)->(.+?):(.+)$/.exec(arg);
      if (!m || op.op !== 'recolor') return fail;
      const [, from, to, object] = m;
      if (!sameColor(op.to, to!)) return fail;
      if (from === '?' ? op.from !== null : !sameColor(op.from, from!)) return fail;
      if (object === '*') return ok(op.object === null);
      return ok(op.object !== null && op.scope !== 'mask');
    }
    case 'text': return ok(op.op === 'text' && (!arg || sameColor(op.color, arg)));
    case 'splash': return ok(op.op === 'splash' && sameColor(op.keep, arg));
    default: return `unknown signature ${want}`;
  }
}
