import ipaddr from 'ipaddr.js';

/**
 * Whether a server-side fetch may connect to an address: only public unicast. Loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, documentation,
 * benchmarking and reserved ranges are refused, and so is every IPv6 form that carries an IPv4
 * address (mapped, translated, compatible, NAT64, 6to4, Teredo) unless the IPv4 address inside is
 * public itself: `[::127.0.0.1]` and `[2002:7f00:1::]` are loopback in disguise.
 */
export function isPublicAddress(text: string): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(text.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return false;
  }
  if (addr.kind() === 'ipv4') return isPublicIPv4(addr as ipaddr.IPv4);
  const v6 = addr as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded !== undefined) return embedded !== null && isPublicIPv4(embedded);
  // Outside 2000::/3 nothing is globally routed unicast (fc00::/7, fe80::/10, ff00::/8, ::/8, …).
  return v6.match(GLOBAL_UNICAST) && v6.range() === 'unicast';
}

const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

function isPublicIPv4(v4: ipaddr.IPv4): boolean {
  return v4.range() === 'unicast' && !EXTRA_V4_BLOCKS.some((cidr) => v4.match(cidr));
}

// Ranges ipaddr.js calls unicast that no public image lives at.
const EXTRA_V4_BLOCKS = ['192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24']
  .map((c) => ipaddr.IPv4.parseCIDR(c));

const v4At = (b: number[], at: number) => new ipaddr.IPv4(b.slice(at, at + 4));
const zero = (b: number[], from: number, to: number) => b.slice(from, to).every((x) => x === 0);

/**
 * The IPv4 address an IPv6 address stands for, when it is one of the embeddings; null for an
 * embedding that is never a public destination; undefined for an IPv6 address of its own.
 */
export function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | null | undefined {
  const b = v6.toByteArray();
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (SIIT translated).
  if (zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return v4At(b, 12);
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) return v4At(b, 12);
  // ::a.b.c.d (IPv4-compatible, deprecated) — and ::, ::1 — are never public destinations.
  if (zero(b, 0, 12)) return null;
  // 64:ff9b::/96, the well-known NAT64 prefix; 64:ff9b:1::/48 is for local use only.
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    return zero(b, 4, 12) ? v4At(b, 12) : null;
  }
  // 2002:AABB:CCDD::/48, 6to4 for a.b.c.d.
  if (b[0] === 0x20 && b[1] === 0x02) return v4At(b, 2);
  // 2001:0000::/32, Teredo: the client's address is the last 32 bits, inverted.
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && b[3] === 0x00) {
    return new ipaddr.IPv4(b.slice(12, 16).map((x) => x ^ 0xff));
  }
  return undefined;
}
