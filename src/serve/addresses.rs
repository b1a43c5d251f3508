//! Where a listening server can be opened from: the addresses `serve` prints.
//!
//! A wildcard bind (`0.0.0.0`, `::`) is no address a browser can open: it
//! stands for every address of the machine, so those are listed instead,
//! loopback first. IPv6 link-local addresses are left out, since a URL can
//! carry one only with a zone, which browsers do not accept.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The addresses to print for a server bound to `bind`, given the
/// machine's interface addresses. `dual_stack`: an IPv6 wildcard socket
/// also takes IPv4 connections. Never empty; loopback first.
pub fn reachable(bind: IpAddr, dual_stack: bool, interfaces: &[IpAddr]) -> Vec<IpAddr> {
    if !bind.is_unspecified() {
        return vec![bind];
    }
    let (v4, v6) = match bind {
        IpAddr::V4(_) => (true, false),
        IpAddr::V6(_) => (dual_stack, true),
    };
    let loopback = if v6 { IpAddr::V6(Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
    let mut others: Vec<IpAddr> = interfaces
        .iter()
        .copied()
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified() && !ip.is_multicast())
        .filter(|ip| match ip {
            IpAddr::V4(_) => v4,
            IpAddr::V6(ip) => v6 && !ip.is_unicast_link_local(),
        })
        .collect();
    others.sort_unstable();
    others.dedup();
    std::iter::once(loopback).chain(others).collect()
}

/// The machine's interface addresses; none when they cannot be listed.
pub fn interface_addresses() -> Vec<IpAddr> {
    if_addrs::get_if_addrs().map(|found| found.iter().map(if_addrs::Interface::ip).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|ip| ip.parse().unwrap()).collect()
    }

    #[test]
    fn a_wildcard_lists_the_machine_loopback_first() {
        let interfaces =
            ips(&["127.0.0.1", "::1", "192.168.1.23", "10.0.0.5", "fe80::1", "2001:db8::7", "192.168.1.23"]);
        let any4 = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        let any6 = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
        assert_eq!(reachable(any4, false, &interfaces), ips(&["127.0.0.1", "10.0.0.5", "192.168.1.23"]));
        assert_eq!(reachable(any6, false, &interfaces), ips(&["::1", "2001:db8::7"]));
        assert_eq!(reachable(any6, true, &interfaces), ips(&["::1", "10.0.0.5", "192.168.1.23", "2001:db8::7"]));
        // Only loopback, or nothing listed: the loopback address still.
        assert_eq!(reachable(any4, false, &[]), ips(&["127.0.0.1"]));
    }

    #[test]
    fn a_specific_address_is_itself() {
        for bind in ["127.0.0.1", "192.168.1.23", "::1"] {
            assert_eq!(reachable(bind.parse().unwrap(), true, &ips(&["10.0.0.5"])), ips(&[bind]));
        }
    }
}
