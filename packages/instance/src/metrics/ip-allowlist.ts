import { BlockList, isIP } from "node:net";

/**
 * Whether an address is in a list of IPs and CIDRs (validated by the configuration).
 * IPv4 clients of a dual-stack socket (`::ffff:127.0.0.1`) match IPv4 entries.
 */
export function ipAllowlist(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (ip) => {
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 6 ? "ipv6" : "ipv4");
  };
}
