//! Where each Atlas REST domain lives: `<DOMAIN>_SERVICE_URL`, else `BASE_SERVICE_URL`.
//!
//! Pure values handed over by the service's config module (the only place that reads the
//! environment); nothing here touches the network or the environment.

use std::collections::HashMap;
use std::fmt;

/// The variable naming the fallback root of every domain.
pub const BASE_ENV: &str = "BASE_SERVICE_URL";

/// One Atlas REST domain; each may have its own root URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    Accounts,
    Worlds,
    Channels,
    Characters,
    Inventory,
    Guilds,
    CharacterFactory,
    Configurations,
}

impl Domain {
    /// Every domain, in the order of maple-protocol.md §7.
    pub const ALL: [Domain; 8] = [
        Domain::Accounts,
        Domain::Worlds,
        Domain::Channels,
        Domain::Characters,
        Domain::Inventory,
        Domain::Guilds,
        Domain::CharacterFactory,
        Domain::Configurations,
    ];

    /// The environment variable Atlas reads for this domain's root (`ACCOUNTS_SERVICE_URL`, …).
    pub fn env_name(self) -> &'static str {
        match self {
            Domain::Accounts => "ACCOUNTS_SERVICE_URL",
            Domain::Worlds => "WORLDS_SERVICE_URL",
            Domain::Channels => "CHANNELS_SERVICE_URL",
            Domain::Characters => "CHARACTERS_SERVICE_URL",
            Domain::Inventory => "INVENTORY_SERVICE_URL",
            Domain::Guilds => "GUILDS_SERVICE_URL",
            Domain::CharacterFactory => "CHARACTER_FACTORY_SERVICE_URL",
            Domain::Configurations => "CONFIGURATIONS_SERVICE_URL",
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.env_name().trim_end_matches("_SERVICE_URL");
        f.write_str(&name.to_ascii_lowercase())
    }
}

/// A root URL that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    /// The value is not an absolute `http://` URL with a host, or has a query or fragment.
    #[error("{var} is not a usable service url ({reason}): {value}")]
    Invalid {
        var: &'static str,
        value: String,
        reason: &'static str,
    },
}

/// The root URL of every configured domain, each ending in `/`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoints {
    base: Option<String>,
    overrides: HashMap<Domain, String>,
}

impl Endpoints {
    /// Validates the roots. An empty value counts as unset (as Go's `os.Getenv` does); a value
    /// without a trailing `/` gets one, since paths are appended without a separator.
    pub fn new(
        base: Option<String>,
        overrides: Vec<(Domain, String)>,
    ) -> Result<Endpoints, EndpointError> {
        let base = match base {
            Some(value) => normalise(BASE_ENV, &value)?,
            None => None,
        };
        let mut map = HashMap::new();
        for (domain, value) in overrides {
            if let Some(root) = normalise(domain.env_name(), &value)? {
                map.insert(domain, root);
            }
        }
        Ok(Endpoints {
            base,
            overrides: map,
        })
    }

    /// The root of a domain (ending in `/`), or `None` when neither variable is set.
    pub fn root(&self, domain: Domain) -> Option<&str> {
        self.overrides
            .get(&domain)
            .or(self.base.as_ref())
            .map(String::as_str)
    }

    /// The full URL of `path` (no leading `/`) in `domain`, or `None` when not configured.
    pub fn url(&self, domain: Domain, path: &str) -> Option<String> {
        self.root(domain).map(|root| format!("{root}{path}"))
    }

    /// The domains with no root (neither their variable nor `BASE_SERVICE_URL` set), in the
    /// order of [`Domain::ALL`].
    pub fn missing(&self) -> Vec<Domain> {
        Domain::ALL
            .into_iter()
            .filter(|domain| self.root(*domain).is_none())
            .collect()
    }

    /// These endpoints with `root` as the base when `BASE_SERVICE_URL` was not set (a set base
    /// and every per-domain root are kept): how the embedded mode points whatever is not
    /// configured at the in-process simulator (`RunningSim::base_url`).
    pub fn or_base(mut self, root: &str) -> Result<Endpoints, EndpointError> {
        if self.base.is_none() {
            self.base = normalise(BASE_ENV, root)?;
        }
        Ok(self)
    }
}

fn normalise(var: &'static str, value: &str) -> Result<Option<String>, EndpointError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let invalid = |reason| EndpointError::Invalid {
        var,
        value: value.to_string(),
        reason,
    };
    let url = reqwest::Url::parse(value).map_err(|_| invalid("not an absolute url"))?;
    if url.scheme() != "http" {
        return Err(invalid(
            "only http is supported: the client is built without tls",
        ));
    }
    // The url crate reads `http:///x/` and `http:x` as `http://x/`; the text is what gets
    // appended to, so it must spell the host after `http://` itself.
    let after_scheme = value.get(7..).unwrap_or_default();
    let spelled = value
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
    if url.host_str().is_none_or(str::is_empty) || !spelled || after_scheme.starts_with(['/', '\\'])
    {
        return Err(invalid("no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a root cannot carry a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // The value is not echoed: it holds a credential.
        return Err(EndpointError::Invalid {
            var,
            value: format!(
                "http://<credentials>@{}/...",
                url.host_str().unwrap_or_default()
            ),
            reason: "a root cannot carry credentials",
        });
    }
    let mut root = value.to_string();
    if !root.ends_with('/') {
        root.push('/');
    }
    Ok(Some(root))
}

/// Percent-encodes a query value or path segment (RFC 3986 unreserved characters stay).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints(base: Option<&str>, overrides: &[(Domain, &str)]) -> Endpoints {
        let overrides = overrides.iter().map(|(d, v)| (*d, v.to_string())).collect();
        Endpoints::new(base.map(str::to_string), overrides).expect("valid endpoints")
    }

    #[test]
    fn path_is_appended_without_a_separator() {
        let e = endpoints(Some("http://ingress:80/api/"), &[]);
        assert_eq!(
            e.url(Domain::Accounts, "accounts/1").as_deref(),
            Some("http://ingress:80/api/accounts/1")
        );
    }

    #[test]
    fn a_missing_trailing_slash_is_added() {
        let e = endpoints(Some("http://ingress:80/api"), &[]);
        assert_eq!(e.root(Domain::Worlds), Some("http://ingress:80/api/"));
        let bare = endpoints(Some("http://ingress"), &[]);
        assert_eq!(bare.root(Domain::Worlds), Some("http://ingress/"));
    }

    #[test]
    fn a_domain_variable_overrides_the_base() {
        let e = endpoints(
            Some("http://base/api/"),
            &[(Domain::CharacterFactory, "http://factory:8080/api/")],
        );
        assert_eq!(
            e.url(Domain::CharacterFactory, "characters/seed")
                .as_deref(),
            Some("http://factory:8080/api/characters/seed")
        );
        assert_eq!(
            e.url(Domain::Characters, "characters/1").as_deref(),
            Some("http://base/api/characters/1")
        );
    }

    #[test]
    fn nothing_configured_gives_no_url_and_empty_counts_as_unset() {
        let e = endpoints(Some(""), &[(Domain::Guilds, "  ")]);
        assert_eq!(e.url(Domain::Guilds, "guilds"), None);
    }

    #[test]
    fn a_bad_url_names_its_variable() {
        let err =
            Endpoints::new(None, vec![(Domain::Worlds, "not a url".into())]).expect_err("invalid");
        assert!(err.to_string().starts_with("WORLDS_SERVICE_URL "), "{err}");
        let tls = Endpoints::new(Some("https://x/".into()), vec![]).expect_err("https");
        assert!(tls.to_string().contains("BASE_SERVICE_URL"), "{tls}");
        let query = Endpoints::new(Some("http://x/?a=1".into()), vec![]).expect_err("query");
        assert!(query.to_string().contains("query"), "{query}");
        for hostless in ["http:///api/", "http:api/", "http:/api/"] {
            let err = Endpoints::new(Some(hostless.into()), vec![]).expect_err(hostless);
            assert!(err.to_string().contains("no host"), "{hostless}: {err}");
        }
    }

    #[test]
    fn credentials_in_a_root_are_refused_without_echoing_them() {
        let err = Endpoints::new(
            None,
            vec![(
                Domain::Accounts,
                "http://login:hunter2@accounts/api/".into(),
            )],
        )
        .expect_err("credentials");
        let text = err.to_string();
        assert!(text.starts_with("ACCOUNTS_SERVICE_URL "), "{text}");
        assert!(text.contains("credentials"), "{text}");
        assert!(
            !text.contains("hunter2") && !text.contains("login:"),
            "{text}"
        );
    }

    #[test]
    fn missing_lists_the_domains_without_a_root() {
        assert_eq!(Endpoints::default().missing(), Domain::ALL);
        let some = endpoints(
            None,
            &[
                (Domain::Guilds, "http://g/"),
                (Domain::Accounts, "http://a/"),
            ],
        );
        assert_eq!(some.missing().len(), 6);
        assert!(!some.missing().contains(&Domain::Guilds));
        assert!(endpoints(Some("http://base/"), &[]).missing().is_empty());
    }

    #[test]
    fn or_base_fills_only_what_is_not_configured() {
        let sim = "http://127.0.0.1:4321/";
        let partial = endpoints(None, &[(Domain::Accounts, "http://accounts:8080/api/")])
            .or_base(sim)
            .expect("valid");
        assert_eq!(
            partial.root(Domain::Accounts),
            Some("http://accounts:8080/api/")
        );
        assert_eq!(partial.root(Domain::Worlds), Some(sim));
        let based = endpoints(Some("http://ingress/api/"), &[])
            .or_base(sim)
            .expect("valid");
        assert_eq!(based.root(Domain::Worlds), Some("http://ingress/api/"));
        let bare = Endpoints::default()
            .or_base("http://127.0.0.1:4321")
            .expect("valid");
        assert_eq!(
            bare.root(Domain::CharacterFactory),
            Some(sim),
            "slash added"
        );
        assert!(Endpoints::default().or_base("https://x/").is_err());
    }

    #[test]
    fn env_names_match_atlas() {
        let names: Vec<_> = Domain::ALL.iter().map(|d| d.env_name()).collect();
        assert_eq!(names[0], "ACCOUNTS_SERVICE_URL");
        assert_eq!(names[6], "CHARACTER_FACTORY_SERVICE_URL");
        assert_eq!(Domain::CharacterFactory.to_string(), "character_factory");
    }

    #[test]
    fn escape_keeps_unreserved_and_encodes_the_rest() {
        assert_eq!(escape("Abc-1._~"), "Abc-1._~");
        assert_eq!(escape("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(escape("José"), "Jos%C3%A9");
    }
}
