//! Which destinations outbound HTTP may reach. Destinations on the allow-list
//! (`--outbound-allow HOST[:PORT]`: a name, a `*.suffix` wildcard, an IP address or a CIDR
//! network) may use any port, or the entry's port when it names one; every other destination
//! must be a public address on port 80 or 443 (Dataverse's rule for webhooks). Decided on
//! the URL for IP literals and ports, and on the resolved addresses for names, always before
//! a connection is attempted.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use reqwest::Url;

/// An IP network: an address and how many leading bits of it count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Self {
        Self {
            addr: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
            prefix,
        }
    }

    const fn v6(segments: [u16; 8], prefix: u8) -> Self {
        let [a, b, c, d, e, f, g, h] = segments;
        Self {
            addr: IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)),
            prefix,
        }
    }

    /// The address's bits, right-aligned, and how many there are.
    fn bits(ip: IpAddr) -> (u128, u8) {
        match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        }
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let (net, width) = Self::bits(self.addr);
        let (addr, addr_width) = Self::bits(ip);
        if width != addr_width {
            return false;
        }
        let host_bits = u32::from(width - self.prefix.min(width));
        let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
        net & mask == addr & mask
    }
}

/// The special-purpose IPv4 ranges (IANA's registry and RFC 6890), first match wins:
/// none of them is a public destination.
const SPECIAL_V4: &[(Network, &str)] = &[
    (Network::v4(0, 0, 0, 0, 32), "unspecified"),
    (Network::v4(0, 0, 0, 0, 8), "\"this network\""),
    (Network::v4(10, 0, 0, 0, 8), "private"),
    (Network::v4(100, 64, 0, 0, 10), "shared (CGNAT)"),
    (Network::v4(127, 0, 0, 0, 8), "loopback"),
    (Network::v4(169, 254, 0, 0, 16), "link-local"),
    (Network::v4(172, 16, 0, 0, 12), "private"),
    (Network::v4(192, 0, 0, 0, 24), "IETF protocol assignment"),
    (Network::v4(192, 0, 2, 0, 24), "documentation"),
    (Network::v4(192, 88, 99, 0, 24), "6to4 relay"),
    (Network::v4(192, 168, 0, 0, 16), "private"),
    (Network::v4(198, 18, 0, 0, 15), "benchmarking"),
    (Network::v4(198, 51, 100, 0, 24), "documentation"),
    (Network::v4(203, 0, 113, 0, 24), "documentation"),
    (Network::v4(224, 0, 0, 0, 4), "multicast"),
    (Network::v4(255, 255, 255, 255, 32), "broadcast"),
    (Network::v4(240, 0, 0, 0, 4), "reserved"),
];

/// The special-purpose IPv6 ranges, first match wins (after the unspecified and loopback
/// addresses and the forms embedding an IPv4 address, see [`special`]).
const SPECIAL_V6: &[(Network, &str)] = &[
    (Network::v6([0, 0, 0, 0, 0, 0, 0, 0], 96), "IPv4-compatible"),
    (
        Network::v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        "private (local NAT64)",
    ),
    (
        Network::v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64),
        "discard-only",
    ),
    (
        Network::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        "documentation",
    ),
    // Teredo (2001::/32), ORCHID and the other protocol assignments.
    (
        Network::v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
        "IETF protocol assignment",
    ),
    (
        Network::v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),
        "documentation",
    ),
    (
        Network::v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        "unique local (private)",
    ),
    (Network::v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), "link-local"),
    (Network::v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), "site-local"),
    (Network::v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "multicast"),
];

/// Global unicast: an IPv6 address outside it is not a public destination.
const GLOBAL_V6: Network = Network::v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);
/// NAT64's well-known prefix: the last 32 bits are the IPv4 address reached.
const NAT64: Network = Network::v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);
/// 6to4: bits 16 to 47 are the IPv4 address of the relay reached.
const SIX_TO_FOUR: Network = Network::v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16);

/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// What kind of special-purpose address `ip` is; `None` for a public address. Forms that
/// embed an IPv4 address (mapped, NAT64, 6to4) are what that address is.
pub(crate) fn special(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => SPECIAL_V4
            .iter()
            .find(|(net, _)| net.contains(IpAddr::V4(v4)))
            .map(|(_, kind)| *kind),
        IpAddr::V6(v6) => {
            if v6.is_unspecified() {
                return Some("unspecified");
            }
            if v6.is_loopback() {
                return Some("loopback");
            }
            let bits = u128::from(v6);
            if NAT64.contains(ip) {
                return special(IpAddr::V4(Ipv4Addr::from(bits as u32)));
            }
            if SIX_TO_FOUR.contains(ip) {
                return special(IpAddr::V4(Ipv4Addr::from((bits >> 80) as u32)));
            }
            if let Some((_, kind)) = SPECIAL_V6.iter().find(|(net, _)| net.contains(ip)) {
                return Some(kind);
            }
            (!GLOBAL_V6.contains(ip)).then_some("reserved")
        }
    }
}

/// Ports destinations off the allow-list may use (Dataverse's webhooks: 80 and 443 only).
const PUBLIC_PORTS: [u16; 2] = [80, 443];

/// Why a destination is not allowed. Always decided before any connection is attempted,
/// which its text says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal(String);

impl Refusal {
    fn new(detail: impl Into<String>) -> Self {
        Self(detail.into())
    }

    /// A name the client resolves with no hop known (not inside [`super::resolve::within`]):
    /// its port cannot be checked, so it is not connected to.
    pub(crate) fn outside_a_delivery(host: &str) -> Self {
        Self(format!("{host} was to be resolved outside a delivery"))
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; refused before connecting", self.0)
    }
}

impl std::error::Error for Refusal {}

/// What an allow-list entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AllowHost {
    /// A host name, in lower case without a final dot.
    Name(String),
    /// `*.example.com`: every name ending in `.example.com` (not `example.com` itself).
    Suffix(String),
    /// An IP address (a network of one) or a CIDR network.
    Network(Network),
}

/// One `--outbound-allow` entry: `HOST[:PORT]`, where HOST is a name, `*.suffix`, an IP
/// address or a CIDR network (IPv6 in brackets when a port follows: `[fd00::/8]:8080`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntry {
    host: AllowHost,
    port: Option<u16>,
}

/// Why an `--outbound-allow` entry cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntryError(String);

impl fmt::Display for AllowEntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AllowEntryError {}

/// A host name as compared: lower case, without the final dot of a fully qualified name.
fn normal_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// `addr` or `addr/prefix`.
fn network(text: &str) -> Option<Network> {
    let (addr, prefix) = match text.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (text, None),
    };
    let addr = canonical(addr.parse::<IpAddr>().ok()?);
    let width = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => p.parse::<u8>().ok().filter(|p| *p <= width)?,
        None => width,
    };
    Some(Network { addr, prefix })
}

impl FromStr for AllowEntry {
    type Err = AllowEntryError;

    fn from_str(entry: &str) -> Result<Self, Self::Err> {
        let entry = entry.trim();
        let bad = |why: &str| AllowEntryError(why.to_owned());
        let (host, port) = if let Some(rest) = entry.strip_prefix('[') {
            let (inside, after) = rest
                .split_once(']')
                .ok_or_else(|| bad("a '[' without its ']'"))?;
            let port = match after {
                "" => None,
                _ => Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| bad("only :PORT may follow ']'"))?,
                ),
            };
            (inside, port)
        } else if entry.matches(':').count() > 1 {
            // A bare IPv6 address or network: no port (brackets give it one).
            (entry, None)
        } else {
            match entry.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (entry, None),
            }
        };
        let port = port
            .map(|p| {
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| bad("the port is not a number from 1 to 65535"))
            })
            .transpose()?;
        let host = if let Some(net) = network(host) {
            AllowHost::Network(net)
        } else if host.contains('/') || host.contains(':') {
            return Err(bad(
                "not an IP address or CIDR network (IPv4 a.b.c.d/n, IPv6 x::/n)",
            ));
        } else if let Some(suffix) = host.strip_prefix("*.") {
            if !is_host_name(suffix.trim_end_matches('.')) {
                return Err(bad("*. is followed by no host name"));
            }
            AllowHost::Suffix(format!(".{}", normal_name(suffix)))
        } else if is_host_name(host.trim_end_matches('.')) {
            AllowHost::Name(normal_name(host))
        } else {
            return Err(bad(
                "expected HOST[:PORT] (a host name, *.domain, an IP address or a CIDR network)",
            ));
        };
        Ok(Self { host, port })
    }
}

impl fmt::Display for AllowEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = match &self.host {
            AllowHost::Name(name) => name.clone(),
            AllowHost::Suffix(suffix) => format!("*{suffix}"),
            AllowHost::Network(net) if net.prefix == Network::bits(net.addr).1 => {
                net.addr.to_string()
            }
            AllowHost::Network(net) => format!("{}/{}", net.addr, net.prefix),
        };
        match (self.port, &self.host) {
            (None, _) => f.write_str(&host),
            (Some(port), AllowHost::Network(net)) if net.addr.is_ipv6() => {
                write!(f, "[{host}]:{port}")
            }
            (Some(port), _) => write!(f, "{host}:{port}"),
        }
    }
}

impl AllowEntry {
    fn port_matches(&self, port: u16) -> bool {
        self.port.is_none_or(|p| p == port)
    }

    /// Whether the entry names this host (already normalised) on this port.
    fn names(&self, host: &str, port: u16) -> bool {
        self.port_matches(port)
            && match &self.host {
                AllowHost::Name(name) => name == host,
                AllowHost::Suffix(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
                AllowHost::Network(_) => false,
            }
    }

    /// Whether the entry holds this address (already canonical) on this port.
    fn holds(&self, ip: IpAddr, port: u16) -> bool {
        self.port_matches(port) && matches!(&self.host, AllowHost::Network(net) if net.contains(ip))
    }
}

/// The port a URL connects to, checked: the one thing besides its addresses that the
/// resolver must know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hop {
    pub(crate) port: u16,
}

/// The allow-list and the rules for everything off it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policy {
    allow: Vec<AllowEntry>,
}

impl Policy {
    pub(crate) fn new(allow: Vec<AllowEntry>) -> Self {
        Self { allow }
    }

    fn name_allowed(&self, host: &str, port: u16) -> bool {
        let host = normal_name(host);
        self.allow.iter().any(|e| e.names(&host, port))
    }

    /// Whether `ip` may be connected to on `port`; else why not.
    fn check_address(&self, ip: IpAddr, port: u16) -> Result<(), String> {
        let ip = canonical(ip);
        if self.allow.iter().any(|e| e.holds(ip, port)) {
            return Ok(());
        }
        if let Some(kind) = special(ip) {
            return Err(format!("{ip} is not a public address ({kind})"));
        }
        if !PUBLIC_PORTS.contains(&port) {
            return Err(format!(
                "port {port}: destinations off the allow-list use ports 80 and 443 only"
            ));
        }
        Ok(())
    }

    /// Everything about `url` that can be decided without resolving its host: the scheme,
    /// an IP literal host (which reqwest connects to without resolving), the port. A name
    /// passes on to [`Self::check_resolved`] with the returned [`Hop`].
    pub(crate) fn check_url(&self, url: &Url) -> Result<Hop, Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::new(format!(
                "the scheme {}: is not allowed (http and https only)",
                url.scheme()
            )));
        }
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Refusal::new("the URL has no port"))?;
        let host = url
            .host_str()
            .ok_or_else(|| Refusal::new("the URL has no host"))?;
        // URL parsing wrote any IP literal in its normal form (`0x7f.1` is 127.0.0.1),
        // IPv6 in brackets.
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        let Ok(ip) = literal.parse::<IpAddr>() else {
            let some_network = self
                .allow
                .iter()
                .any(|e| e.port_matches(port) && matches!(e.host, AllowHost::Network(_)));
            if self.name_allowed(host, port) || PUBLIC_PORTS.contains(&port) || some_network {
                return Ok(Hop { port });
            }
            return Err(Refusal::new(format!(
                "{host}:{port}: destinations off the allow-list use ports 80 and 443 only"
            )));
        };
        self.check_address(ip, port).map_err(Refusal::new)?;
        Ok(Hop { port })
    }

    /// Whether `host`, resolved to `addrs`, may be connected to on `port`: every address
    /// must be allowed (a name that resolves to one private address among public ones is
    /// refused), unless the name itself is on the allow-list.
    pub(crate) fn check_resolved(
        &self,
        host: &str,
        port: u16,
        addrs: &[SocketAddr],
    ) -> Result<(), Refusal> {
        if self.name_allowed(host, port) {
            return Ok(());
        }
        if addrs.is_empty() {
            return Err(Refusal::new(format!("{host} resolves to no address")));
        }
        for addr in addrs {
            self.check_address(addr.ip(), port)
                .map_err(|why| Refusal::new(format!("{host} resolves to {}: {why}", addr.ip())))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: &[&str]) -> Policy {
        Policy::new(list.iter().map(|e| e.parse().unwrap()).collect())
    }

    fn addr(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 0)
    }

    fn resolved(policy: &Policy, host: &str, port: u16, ips: &[&str]) -> Result<(), Refusal> {
        let addrs: Vec<SocketAddr> = ips.iter().map(|ip| addr(ip)).collect();
        policy.check_resolved(host, port, &addrs)
    }

    fn url(policy: &Policy, url: &str) -> Result<Hop, Refusal> {
        policy.check_url(&Url::parse(url).unwrap())
    }

    #[test]
    fn every_special_range_is_refused() {
        let none = Policy::default();
        for (ip, kind) in [
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("127.0.0.1", "loopback"),
            ("127.255.0.1", "loopback"),
            ("169.254.169.254", "link-local"),
            ("100.64.0.1", "shared (CGNAT)"),
            ("100.127.255.255", "shared (CGNAT)"),
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "\"this network\""),
            ("255.255.255.255", "broadcast"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"),
            ("192.0.0.8", "IETF protocol assignment"),
            ("192.0.2.1", "documentation"),
            ("198.18.0.1", "benchmarking"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fc00::1", "unique local (private)"),
            ("fd12:3456::1", "unique local (private)"),
            ("fe80::1", "link-local"),
            ("fec0::1", "site-local"),
            ("ff02::1", "multicast"),
            ("::ffff:10.0.0.1", "private"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "link-local"),
            ("::10.0.0.1", "IPv4-compatible"),
            // NAT64 and 6to4 forms reach the IPv4 address they embed.
            ("64:ff9b::a9fe:a9fe", "link-local"),
            ("64:ff9b::7f00:1", "loopback"),
            ("2002:a00:1::", "private"),
            ("64:ff9b:1::1", "private (local NAT64)"),
            ("2001::1", "IETF protocol assignment"),
            ("2001:db8::1", "documentation"),
            ("100::1", "discard-only"),
            ("4000::1", "reserved"),
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(special(ip), Some(kind), "{ip}");
            for port in [80, 443] {
                let refusal = resolved(&none, "hooks.example.test", port, &[&ip.to_string()])
                    .expect_err(&ip.to_string());
                assert!(
                    refusal.to_string().ends_with("refused before connecting"),
                    "{refusal}"
                );
            }
        }
    }

    #[test]
    fn public_addresses_are_allowed_on_ports_80_and_443_only() {
        let none = Policy::default();
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "172.15.255.255",
            "100.128.0.1",
            "100.63.255.255",
            "11.0.0.1",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::1",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(special(ip.parse().unwrap()), None, "{ip}");
            assert!(resolved(&none, "hooks.example.test", 443, &[ip]).is_ok());
            assert!(resolved(&none, "hooks.example.test", 80, &[ip]).is_ok());
            let refusal = resolved(&none, "hooks.example.test", 8443, &[ip]).unwrap_err();
            assert!(refusal.to_string().contains("80 and 443"), "{refusal}");
        }
        // One private address among public ones refuses the name.
        assert!(resolved(&none, "hooks.example.test", 443, &["8.8.8.8", "10.0.0.1"]).is_err());
        assert!(resolved(&none, "hooks.example.test", 443, &[]).is_err());
        // Off the list, a name on another port is refused before it is even resolved.
        assert!(url(&none, "https://hooks.example.test/in").is_ok());
        assert!(url(&none, "http://hooks.example.test:80/in").is_ok());
        let refusal = url(&none, "https://hooks.example.test:8443/in").unwrap_err();
        assert!(refusal.to_string().contains("80 and 443"), "{refusal}");
    }

    #[test]
    fn allow_entries_are_read_and_shown() {
        for (entry, shown) in [
            ("hooks.example.com", "hooks.example.com"),
            ("Hooks.Example.COM.:8080", "hooks.example.com:8080"),
            ("*.example.com", "*.example.com"),
            ("*.example.com:443", "*.example.com:443"),
            ("localhost:7071", "localhost:7071"),
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("10.0.0.0/8:9000", "10.0.0.0/8:9000"),
            ("127.0.0.1:5000", "127.0.0.1:5000"),
            (" 192.168.0.10 ", "192.168.0.10"),
            ("::1", "::1"),
            ("[::1]:8080", "[::1]:8080"),
            ("fd00::/8", "fd00::/8"),
            ("[fd00::/8]:9000", "[fd00::/8]:9000"),
            ("::ffff:10.0.0.1", "10.0.0.1"),
        ] {
            let parsed: AllowEntry = entry.parse().unwrap_or_else(|e| panic!("{entry}: {e}"));
            assert_eq!(parsed.to_string(), shown, "{entry}");
        }
        for bad in [
            "",
            ":80",
            "host:0",
            "host:65536",
            "host:http",
            "10.0.0.0/33",
            "10.0.0.0/x",
            "*.",
            "a b",
            "http://hooks.example.com",
            "[::1",
            "[::1]8080",
            "hooks..example.com",
        ] {
            assert!(bad.parse::<AllowEntry>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_allow_list_admits_names_addresses_networks_and_ports() {
        let policy = entries(&[
            "hooks.internal",
            "receiver.internal:7071",
            "*.corp.example",
            "10.20.0.0/16",
            "192.168.1.5:8080",
            "fd00::/8",
        ]);
        // A name on the list: any port, whatever it resolves to.
        assert!(url(&policy, "http://hooks.internal:9999/").is_ok());
        assert!(resolved(&policy, "hooks.internal", 9999, &["127.0.0.1"]).is_ok());
        assert!(resolved(&policy, "HOOKS.internal.", 9999, &["10.9.9.9"]).is_ok());
        // A name with a port: that port only.
        assert!(resolved(&policy, "receiver.internal", 7071, &["10.9.9.9"]).is_ok());
        assert!(resolved(&policy, "receiver.internal", 7072, &["10.9.9.9"]).is_err());
        // A wildcard: names below the domain, not the domain itself.
        assert!(resolved(&policy, "a.corp.example", 8000, &["10.9.9.9"]).is_ok());
        assert!(resolved(&policy, "b.a.corp.example", 8000, &["10.9.9.9"]).is_ok());
        assert!(resolved(&policy, "corp.example", 443, &["10.9.9.9"]).is_err());
        assert!(resolved(&policy, "evilcorp.example", 443, &["10.9.9.9"]).is_err());
        // A network: any name resolving into it, on any port; IP literals too.
        assert!(resolved(&policy, "db.elsewhere", 5000, &["10.20.3.4"]).is_ok());
        assert!(resolved(&policy, "db.elsewhere", 5000, &["::ffff:10.20.3.4"]).is_ok());
        assert!(resolved(&policy, "db.elsewhere", 5000, &["10.21.3.4"]).is_err());
        assert!(url(&policy, "http://10.20.3.4:5000/").is_ok());
        assert!(url(&policy, "http://[fd12::1]:5000/").is_ok());
        // An address with a port: that port only.
        assert!(url(&policy, "http://192.168.1.5:8080/").is_ok());
        assert!(url(&policy, "http://192.168.1.5:8081/").is_err());
        assert!(url(&policy, "http://192.168.1.5/").is_err());
        assert!(resolved(&policy, "printer.elsewhere", 8080, &["192.168.1.5"]).is_ok());
        assert!(resolved(&policy, "printer.elsewhere", 80, &["192.168.1.5"]).is_err());
        // Names off the list on another port wait for their addresses when a network
        // entry might hold them.
        assert!(url(&policy, "http://db.elsewhere:5000/").is_ok());
    }

    #[test]
    fn ip_literals_are_checked_without_resolving() {
        let none = Policy::default();
        for literal in [
            "http://10.0.0.1/",
            "http://127.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fe80::1]/",
            "http://169.254.169.254/latest/meta-data/",
            // Other spellings of 127.0.0.1 that URL parsing normalises.
            "http://0x7f.1/",
            "http://2130706433/",
            "http://127.1/",
        ] {
            let refusal = url(&none, literal).unwrap_err();
            assert!(
                refusal.to_string().contains("not a public address"),
                "{literal}: {refusal}"
            );
        }
        assert_eq!(
            url(&none, "https://93.184.216.34/").unwrap(),
            Hop { port: 443 }
        );
        assert!(url(&none, "http://93.184.216.34:8080/").is_err());
        let allowed = entries(&["127.0.0.1:5000"]);
        assert!(url(&allowed, "http://127.0.0.1:5000/").is_ok());
        assert!(url(&allowed, "http://127.0.0.1:5001/").is_err());
    }

    #[test]
    fn only_http_and_https_are_allowed() {
        let open = entries(&["hooks.example.test"]);
        for other in [
            "ftp://hooks.example.test/",
            "file:///etc/passwd",
            "ws://hooks.example.test/",
            "gopher://hooks.example.test/",
        ] {
            let refusal = url(&open, other).unwrap_err();
            assert!(
                refusal.to_string().contains("http and https only"),
                "{other}"
            );
        }
    }
}
