//! Where the server answers, split the way Swagger 2.0 wants it: scheme, host (with port)
//! and base path (the Web API root, `/api/data/v9.2`, below any prefix).

use switchboard_model::{Message, MessageId};

/// The Web API root the operations' paths are relative to.
const API_ROOT: &str = "/api/data/v9.2";
/// Versions of the Web API root the server answers (all the same API).
const API_VERSIONS: &[&str] = &["/api/data/v9.0", "/api/data/v9.1", "/api/data/v9.2"];

/// A server's base URL: `https://host[:port][/prefix]`, with the Web API root below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    scheme: &'static str,
    host: String,
    base_path: String,
}

impl BaseUrl {
    /// Reads `http[s]://host[:port][/path]`; a path that does not end at a Web API root
    /// (`/api/data/v9.x`) gets `/api/data/v9.2` added.
    pub fn parse(url: &str) -> Result<Self, Message> {
        let bad = || Message::new(MessageId::ConnectorBadBaseUrl).arg("url", url);
        let text = url.trim();
        let lower = text.to_ascii_lowercase();
        let (scheme, rest) = if lower.starts_with("https://") {
            ("https", &text["https://".len()..])
        } else if lower.starts_with("http://") {
            ("http", &text["http://".len()..])
        } else {
            return Err(bad());
        };
        if rest.contains(['?', '#']) {
            return Err(bad());
        }
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        Self::from_parts(scheme, host, path).ok_or_else(bad)
    }

    /// The base URL a request reached the server at: its scheme and `Host` header.
    pub fn for_host(https: bool, host: &str) -> Result<Self, Message> {
        let scheme = if https { "https" } else { "http" };
        Self::from_parts(scheme, host, "").ok_or_else(|| {
            Message::new(MessageId::ConnectorBadBaseUrl).arg("url", format!("{scheme}://{host}"))
        })
    }

    /// `None` unless `host` is a host name or IPv4 address with an optional port: the only
    /// form the connector schema's `host` pattern (`^[^{}/ :\\]+(?::\d+)?$`) accepts.
    fn from_parts(scheme: &'static str, host: &str, path: &str) -> Option<Self> {
        let (name, port) = host.split_once(':').unwrap_or((host, ""));
        let name_ok =
            !name.is_empty() && !name.contains(['{', '}', '/', ' ', ':', '\\', '@', '[', ']']);
        let port_ok =
            !host.contains(':') || (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
        if !name_ok || !port_ok || path.contains(['{', '}', ' ']) {
            return None;
        }
        let prefix = format!("/{}", path.trim_matches('/'));
        let prefix = prefix.trim_end_matches('/');
        let base_path = if API_VERSIONS.iter().any(|v| prefix.ends_with(v)) {
            prefix.to_owned()
        } else {
            format!("{prefix}{API_ROOT}")
        };
        Some(Self {
            scheme,
            host: host.to_owned(),
            base_path,
        })
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        self.scheme
    }

    /// The host name and port (`switchboard.example.com`, `127.0.0.1:5555`).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The Web API root path (`/api/data/v9.2`, or `/prefix/api/data/v9.2`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// `scheme://host`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// `scheme://host/…/api/data/v9.2`: what the operations' paths are appended to.
    pub fn api_root(&self) -> String {
        format!("{}{}", self.origin(), self.base_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_scheme_host_and_web_api_root() {
        let url = BaseUrl::parse("https://switchboard.example.com").unwrap();
        assert_eq!(
            (url.scheme(), url.host(), url.base_path()),
            ("https", "switchboard.example.com", "/api/data/v9.2")
        );
        let url = BaseUrl::parse("HTTP://127.0.0.1:5555/").unwrap();
        assert_eq!(url.api_root(), "http://127.0.0.1:5555/api/data/v9.2");
        let url = BaseUrl::parse("https://example.com/crm/").unwrap();
        assert_eq!(url.base_path(), "/crm/api/data/v9.2");
        let url = BaseUrl::parse("https://example.com/api/data/v9.1").unwrap();
        assert_eq!(url.base_path(), "/api/data/v9.1", "a given root is kept");
    }

    #[test]
    fn refuses_what_the_connector_schema_cannot_hold() {
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://[::1]:5555",
            "https://example.com:port",
            "https://user@example.com",
            "https://example.com/?x=1",
        ] {
            let e = BaseUrl::parse(bad).unwrap_err();
            assert_eq!(e.id, MessageId::ConnectorBadBaseUrl, "{bad}");
        }
        assert!(BaseUrl::for_host(false, "[::1]:80").is_err());
        assert_eq!(
            BaseUrl::for_host(true, "localhost:8443")
                .unwrap()
                .api_root(),
            "https://localhost:8443/api/data/v9.2"
        );
    }
}
