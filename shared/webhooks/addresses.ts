/**
 * Which IP addresses Kassa posts a merchant's webhooks to: only public unicast ones. A webhook URL is
 * chosen by the merchant, so without this check it is a way to make Kassa's functions call into
 * their own VPC, the instance metadata service (169.254.169.254) or the laptop's services. The
 * ranges are IANA's special-purpose registries (RFC 6890 and successors); IPv6 is an allow-list
 * (global unicast 2000::/3 only) so a range added later is refused until reviewed, and every IPv6
 * form that carries an IPv4 address (mapped, compatible, NAT64) is judged by that IPv4 address.
 */
import { isIPv4, isIPv6 } from "node:net";

export interface AddressPolicy {
  /** Loopback (127/8, ::1) is allowed: a developer's receiver in local runs. */
  allowLoopback: boolean;
}

interface Range {
  cidr: string;
  what: string;
}

/** IPv4 ranges that are not a public unicast destination. */
const ipv4Forbidden: readonly Range[] = [
  { cidr: "0.0.0.0/8", what: "a 'this network' address" },
  { cidr: "10.0.0.0/8", what: "a private address" },
  { cidr: "100.64.0.0/10", what: "a carrier-grade NAT address" },
  { cidr: "127.0.0.0/8", what: "a loopback address" },
  { cidr: "169.254.0.0/16", what: "a link-local address" },
  { cidr: "172.16.0.0/12", what: "a private address" },
  { cidr: "192.0.0.0/24", what: "an IETF protocol address" },
  { cidr: "192.0.2.0/24", what: "a documentation address" },
  { cidr: "192.88.99.0/24", what: "a 6to4 relay address" },
  { cidr: "192.168.0.0/16", what: "a private address" },
  { cidr: "198.18.0.0/15", what: "a benchmarking address" },
  { cidr: "198.51.100.0/24", what: "a documentation address" },
  { cidr: "203.0.113.0/24", what: "a documentation address" },
  { cidr: "224.0.0.0/4", what: "a multicast address" },
  { cidr: "240.0.0.0/4", what: "a reserved or broadcast address" },
];

/** Exceptions inside IPv6 global unicast (2000::/3), each refused. */
const ipv6Forbidden: readonly Range[] = [
  { cidr: "2001::/23", what: "an IETF protocol address (Teredo and others)" },
  { cidr: "2001:db8::/32", what: "a documentation address" },
  { cidr: "2002::/16", what: "a 6to4 address" },
  { cidr: "3fff::/20", what: "a documentation address" },
];

const loopbackIpv4 = "127.0.0.0/8";

/** `a.b.c.d` as an unsigned 32-bit number (the caller checked it is dotted-quad IPv4). */
function ipv4Number(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** The 8 16-bit groups of an IPv6 address (the caller checked it is IPv6; a zone id is dropped). */
function ipv6Groups(address: string): number[] {
  let text = address.split("%")[0]?.toLowerCase() ?? "";
  const last = text.slice(text.lastIndexOf(":") + 1);
  if (isIPv4(last)) {
    const n = ipv4Number(last);
    text = `${text.slice(0, text.length - last.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill("0");
  return [...headGroups, ...zeros, ...tailGroups].map((group) => Number.parseInt(group, 16));
}

/** The IPv6 address as a 128-bit number. */
const ipv6Number = (address: string) =>
  ipv6Groups(address).reduce((n, group) => (n << 16n) + BigInt(group), 0n);

function inIpv4(address: string, cidr: string): boolean {
  const [base = "", bits = "0"] = cidr.split("/");
  const shift = 32 - Number(bits);
  // Compared as numbers of whole prefixes: a shift by 32 in 32-bit arithmetic would be a no-op.
  return Math.floor(ipv4Number(address) / 2 ** shift) === Math.floor(ipv4Number(base) / 2 ** shift);
}

function inIpv6(address: string, cidr: string): boolean {
  const [base = "", bits = "0"] = cidr.split("/");
  const shift = BigInt(128 - Number(bits));
  return ipv6Number(address) >> shift === ipv6Number(base) >> shift;
}

/** The IPv4 address held in the low 32 bits of an IPv6 one. */
function embeddedIpv4(address: string): string {
  const n = Number(ipv6Number(address) & 0xffffffffn);
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join(".");
}

/** Whether the address is a loopback one (127/8, ::1, or either embedded as IPv4-mapped). */
export function isLoopbackAddress(address: string): boolean {
  if (isIPv4(address)) return inIpv4(address, loopbackIpv4);
  if (!isIPv6(address)) return false;
  if (ipv6Number(address) === 1n) return true;
  return inIpv6(address, "::ffff:0:0/96") && inIpv4(embeddedIpv4(address), loopbackIpv4);
}

/**
 * Why Kassa won't post to `address` (an IP literal), or undefined when it is a public unicast
 * address (or a loopback one the policy allows). Anything that is not an IP literal is refused.
 */
export function forbiddenAddress(address: string, policy: AddressPolicy): string | undefined {
  if (isIPv4(address)) {
    if (policy.allowLoopback && inIpv4(address, loopbackIpv4)) return undefined;
    const range = ipv4Forbidden.find((r) => inIpv4(address, r.cidr));
    return range && `${address} is ${range.what} (${range.cidr})`;
  }
  if (!isIPv6(address)) return `${address} is not an IP address`;
  const n = ipv6Number(address);
  if (n === 0n) return `${address} is the unspecified address (::)`;
  if (n === 1n) return policy.allowLoopback ? undefined : `${address} is a loopback address (::1)`;
  // IPv4-mapped, IPv4-compatible (deprecated) and NAT64's well-known prefix all reach the embedded
  // IPv4 address: judge that one.
  for (const cidr of ["::ffff:0:0/96", "::/96", "64:ff9b::/96"]) {
    if (!inIpv6(address, cidr)) continue;
    const reason = forbiddenAddress(embeddedIpv4(address), policy);
    return reason && `${address} embeds ${reason}`;
  }
  if (inIpv6(address, "fc00::/7")) return `${address} is a unique local address (fc00::/7)`;
  if (inIpv6(address, "fe80::/10")) return `${address} is a link-local address (fe80::/10)`;
  if (inIpv6(address, "ff00::/8")) return `${address} is a multicast address (ff00::/8)`;
  if (!inIpv6(address, "2000::/3"))
    return `${address} is not a global unicast address (reserved, site-local or local-use NAT64)`;
  const range = ipv6Forbidden.find((r) => inIpv6(address, r.cidr));
  return range && `${address} is ${range.what} (${range.cidr})`;
}
