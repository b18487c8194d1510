//! The addresses a `[network] resolve` entry gives a name: one (`"10.1.2.3"`) or several
//! (`["2001:db8::5", "10.1.2.3"]`, an IPv4 and an IPv6 address, as DNS gives A and AAAA
//! records), so the IPv6 check can reach a name the workers' DNS does not know.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One or more addresses, in the order given; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addresses(Vec<IpAddr>);

impl Addresses {
    /// `None` for an empty list: a name resolving to nothing is no override.
    pub fn new(ips: Vec<IpAddr>) -> Option<Addresses> {
        (!ips.is_empty()).then_some(Addresses(ips))
    }

    pub fn iter(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.0.iter().copied()
    }
}

impl From<IpAddr> for Addresses {
    fn from(ip: IpAddr) -> Self {
        Addresses(vec![ip])
    }
}

/// One address, as the single-address form of the registry writes it.
impl FromStr for Addresses {
    type Err = std::net::AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<IpAddr>().map(Addresses::from)
    }
}

/// A single address is written as a string, several as a list: a registry read and written
/// back keeps its shape.
impl Serialize for Addresses {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(s),
            all => all.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Addresses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AddressesVisitor)
    }
}

struct AddressesVisitor;

fn parse<E: de::Error>(v: &str) -> Result<IpAddr, E> {
    v.parse()
        .map_err(|_| E::custom(format!("`{v}` is not an IP address")))
}

impl<'de> Visitor<'de> for AddressesVisitor {
    type Value = Addresses;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an IP address or a list of IP addresses")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Addresses, E> {
        parse(v).map(Addresses::from)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Addresses, A::Error> {
        let mut ips = Vec::new();
        while let Some(v) = seq.next_element::<String>()? {
            ips.push(parse(&v)?);
        }
        Addresses::new(ips).ok_or_else(|| de::Error::custom("needs at least one address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize)]
    struct T {
        a: Addresses,
    }

    fn ips(t: &str) -> Result<Vec<IpAddr>, String> {
        toml::from_str::<T>(t)
            .map(|t| t.a.iter().collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn one_address_or_a_list() {
        assert_eq!(
            ips(r#"a = "10.1.2.3""#).unwrap(),
            ["10.1.2.3".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            ips(r#"a = ["::1", "127.0.0.1"]"#).unwrap(),
            [
                "::1".parse::<IpAddr>().unwrap(),
                "127.0.0.1".parse().unwrap()
            ]
        );
        assert!(ips(r#"a = []"#).unwrap_err().contains("at least one"));
        assert!(
            ips(r#"a = ["::1", "x"]"#)
                .unwrap_err()
                .contains("`x` is not an IP address")
        );
        assert!(ips("a = 5").is_err());
        // Written back in the shape it was read.
        let one: T = toml::from_str(r#"a = "10.1.2.3""#).unwrap();
        assert_eq!(toml::to_string(&one).unwrap().trim(), r#"a = "10.1.2.3""#);
        let two: T = toml::from_str(r#"a = ["::1", "10.1.2.3"]"#).unwrap();
        assert_eq!(
            toml::to_string(&two).unwrap().trim(),
            r#"a = ["::1", "10.1.2.3"]"#
        );
    }
}
