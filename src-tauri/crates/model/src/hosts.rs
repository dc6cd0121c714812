//! One way to read a list of servers: `host`, `host:port`, `[v6]`, `[v6]:port` or a bare
//! IPv6 address, comma-separated (a MongoDB seed list, libpq's `host=a,b`, a JDBC
//! authority). Every place that takes several hosts reads them here, so a bracket or a
//! port means the same in the form, the importer and the live test.

use std::fmt;

/// One entry of a host list: the host without IPv6 brackets, and its port if it named one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: Option<u16>,
}

/// Why a host list cannot be read. Messages name the entry (a host, never a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostListError {
    #[error("no host is given")]
    Empty,
    #[error("{0:?} has no host")]
    NoHost(String),
    #[error("{0:?} is missing the closing ] of its IPv6 address")]
    UnclosedBracket(String),
    #[error("{0:?} has text after its IPv6 address that is not :port")]
    AfterBracket(String),
    #[error("{0:?} has a port outside 1–65535")]
    BadPort(String),
}

impl HostListError {
    /// The fix, in the words every caller uses.
    pub fn hint(&self) -> &'static str {
        match self {
            HostListError::UnclosedBracket(_) | HostListError::AfterBracket(_) => {
                "Write IPv6 hosts as [2001:db8::1]:5432."
            }
            _ => "Write each host as host or host:port, separated by commas.",
        }
    }
}

impl HostPort {
    /// One entry, trimmed.
    pub fn parse(entry: &str) -> Result<HostPort, HostListError> {
        let item = entry.trim();
        let (host, port) = if let Some(rest) = item.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| HostListError::UnclosedBracket(item.to_owned()))?;
            match after.strip_prefix(':') {
                Some(p) => (host, Some(p)),
                None if after.is_empty() => (host, None),
                None => return Err(HostListError::AfterBracket(item.to_owned())),
            }
        } else {
            match item.rsplit_once(':') {
                // One colon: host:port. More: a bare IPv6 address.
                Some((h, p)) if !h.contains(':') => (h, Some(p)),
                _ => (item, None),
            }
        };
        let port = match port {
            None => None,
            Some(p) => Some(
                p.trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| HostListError::BadPort(item.to_owned()))?,
            ),
        };
        if host.is_empty() {
            return Err(HostListError::NoHost(item.to_owned()));
        }
        Ok(HostPort {
            host: host.to_owned(),
            port,
        })
    }

    /// `host:port` for a URL, with `default` when the entry named no port.
    pub fn with_port(&self, default: u32) -> String {
        format!(
            "{}:{}",
            url_host(&self.host),
            self.port.map(u32::from).unwrap_or(default)
        )
    }
}

impl fmt::Display for HostPort {
    /// As written in a list: brackets around IPv6, `:port` only when one was named.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(p) => write!(f, "{}:{p}", url_host(&self.host)),
            None => f.write_str(&url_host(&self.host)),
        }
    }
}

/// A comma-separated list of hosts, at least one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostList(Vec<HostPort>);

impl HostList {
    pub fn parse(list: &str) -> Result<HostList, HostListError> {
        if list.trim().is_empty() {
            return Err(HostListError::Empty);
        }
        list.split(',')
            .map(HostPort::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(HostList)
    }

    pub fn entries(&self) -> &[HostPort] {
        &self.0
    }

    /// Never empty: `parse` refuses an empty list.
    pub fn first(&self) -> &HostPort {
        &self.0[0]
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for HostList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

/// A host as it goes into a URL: IPv6 in brackets.
pub fn url_host(h: &str) -> String {
    if h.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[{h}]")
    } else {
        h.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(host: &str, port: Option<u16>) -> HostPort {
        HostPort {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn every_host_form_reads_the_same_and_writes_back() {
        let l = HostList::parse("a, b:27018,[::1],[2001:db8::7]:5432, ::1 ,10.0.0.1:1").unwrap();
        assert_eq!(
            l.entries(),
            &[
                hp("a", None),
                hp("b", Some(27018)),
                hp("::1", None),
                hp("2001:db8::7", Some(5432)),
                hp("::1", None),
                hp("10.0.0.1", Some(1)),
            ]
        );
        assert_eq!(
            l.to_string(),
            "a,b:27018,[::1],[2001:db8::7]:5432,[::1],10.0.0.1:1"
        );
        assert_eq!(l.first().with_port(27017), "a:27017");
    }

    #[test]
    fn bad_lists_are_refused_naming_the_entry() {
        for (list, want) in [
            ("", HostListError::Empty),
            (" ", HostListError::Empty),
            ("a,,b", HostListError::NoHost(String::new())),
            (":5432", HostListError::NoHost(":5432".into())),
            ("[::1", HostListError::UnclosedBracket("[::1".into())),
            ("[::1]x", HostListError::AfterBracket("[::1]x".into())),
            ("a:0", HostListError::BadPort("a:0".into())),
            ("a:x", HostListError::BadPort("a:x".into())),
            ("a:65536", HostListError::BadPort("a:65536".into())),
        ] {
            assert_eq!(HostList::parse(list), Err(want), "{list:?}");
        }
    }
}
