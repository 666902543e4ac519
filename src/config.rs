//! The one typed configuration. Layers, later wins: built-in defaults <
//! `switchboard.toml` < `SWITCHBOARD_<KEY>` environment variables < command-line
//! flags. Unknown keys are errors, so a typo never silently falls back to a default.
//! Every field's `///` line is mirrored by the README's configuration table.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port the HTTP server listens on.
    pub bind: String,
    /// Directory holding `switchboard.db`, `secret.key` and `uploads/`.
    pub data_dir: PathBuf,
    /// URL prefix the whole app lives under, e.g. `/script` (empty for the root).
    pub base_path: String,
    /// Absolute URL clients reach the server at, used in links the API returns
    /// (avatars, transcripts). Empty means `http://<bind><base_path>`.
    pub public_url: String,
    /// Largest request body accepted, in bytes; larger ones get `request-too-large`.
    pub max_body_bytes: usize,
    /// A user is online when their last activity is at most this many seconds old.
    pub online_window_seconds: u64,
    /// A typing status set by `set-typing` expires after this many seconds.
    pub typing_timeout_seconds: u64,
    /// How long a transcript download link stays valid, in seconds.
    pub download_ttl_seconds: u64,
    /// An admin-area session ends after this many seconds without a request.
    pub session_idle_seconds: u64,
    /// An admin-area session ends this many seconds after sign-in, however busy.
    pub session_lifetime_seconds: u64,
    /// Addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` header
    /// names the client; from anyone else the header is ignored.
    pub trusted_proxies: Vec<String>,
    /// Sign-in, two-factor and password-reset posts allowed per client address per
    /// minute (half of them at once after a quiet spell).
    pub sign_in_per_minute: u32,
    /// Help-center requests allowed per client address per minute (half at once).
    pub public_pages_per_minute: u32,
    /// Requests for uploaded files and thumbnails per client address per minute
    /// (half at once): the admin area and the widget show images by the dozen.
    pub files_per_minute: u32,
    /// Chat-widget requests allowed per client address per minute (half at once).
    pub widget_requests_per_minute: u32,
    /// Messages a widget visitor may send per minute (and three times as many per address).
    pub widget_messages_per_minute: u32,
    /// Conversations a widget visitor may open per hour.
    pub widget_conversations_per_hour: u32,
    /// New widget visitors per client address per hour.
    pub widget_visitors_per_hour: u32,
    /// API calls allowed per admin token per minute (all of them at once, then a steady flow).
    pub api_calls_per_minute_per_token: u32,
    /// API calls allowed per client address per minute (all at once, then a steady flow).
    pub api_calls_per_minute_per_address: u32,
    /// API calls with a missing or wrong token allowed per client address per minute;
    /// beyond it every call from that address is refused for a minute.
    pub api_failed_auth_per_minute: u32,
    /// Files a widget visitor may upload per hour.
    pub widget_uploads_per_hour: u32,
    /// The largest upload body (a file and its form), whatever the `upload-max-size`
    /// setting says: the memory one upload may take.
    pub max_upload_bytes: usize,
    /// Number of pooled SQLite connections, and so of threads running database work at once.
    pub db_pool_size: u32,
    /// Log filter in `tracing` syntax, e.g. `info` or `switchboard=debug`.
    pub log: String,
    /// A bearer token that opens `/metrics` to scrapers beyond loopback (empty: loopback only).
    pub metrics_token: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            base_path: String::new(),
            public_url: String::new(),
            max_body_bytes: 2 * 1024 * 1024,
            online_window_seconds: 60,
            typing_timeout_seconds: 10,
            download_ttl_seconds: 3600,
            session_idle_seconds: 8 * 3600,
            session_lifetime_seconds: 7 * 24 * 3600,
            trusted_proxies: Vec::new(),
            sign_in_per_minute: 20,
            public_pages_per_minute: 300,
            files_per_minute: 1200,
            widget_requests_per_minute: 600,
            widget_messages_per_minute: 20,
            widget_conversations_per_hour: 10,
            widget_visitors_per_hour: 60,
            api_calls_per_minute_per_token: 6000,
            api_calls_per_minute_per_address: 6000,
            api_failed_auth_per_minute: 30,
            widget_uploads_per_hour: 20,
            max_upload_bytes: 25 * 1024 * 1024,
            db_pool_size: 4,
            log: "info".into(),
            metrics_token: String::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// From [`Config::load`], `origin` names the file read (or that none was).
    #[error("invalid config ({origin}): {message}")]
    Invalid { origin: String, message: String },
}

/// Values given on the command line; `None` leaves the lower layers in charge.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// Builds the configuration from every layer. `file` is read when given; the
    /// default `./switchboard.toml` is read only if it exists.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let default = Path::new("switchboard.toml");
        let read = file.or(default.exists().then_some(default));
        let mut table = match read {
            Some(path) => read_table(path)?,
            None => toml::Table::new(),
        };
        // Every later error names what was read, so an admin with several
        // configs knows which one to fix.
        let origin = match read {
            Some(path) => format!("config file {}", path.display()),
            None => "no config file; defaults and SWITCHBOARD_* variables".to_string(),
        };
        let in_origin = |err: ConfigError| match err {
            ConfigError::Invalid { origin: key, message } => {
                ConfigError::Invalid { origin: origin.clone(), message: format!("{key}: {message}") }
            }
            other => other,
        };
        apply_env(&mut table, std::env::vars()).map_err(in_origin)?;
        let mut config: Config = table.try_into().map_err(|e: toml::de::Error| invalid(&origin, e.message()))?;
        if let Some(bind) = &overrides.bind {
            config.bind = bind.clone();
        }
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        config.validate().map_err(in_origin)?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !self.base_path.is_empty() && (!self.base_path.starts_with('/') || self.base_path.ends_with('/')) {
            return Err(invalid("base_path", "must start with '/' and not end with '/', e.g. /script"));
        }
        if !self.public_url.is_empty() {
            let url = url::Url::parse(&self.public_url).map_err(|e| invalid("public_url", &e.to_string()))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(invalid("public_url", "must be an http or https URL"));
            }
        }
        if self.max_body_bytes < 1024 {
            return Err(invalid("max_body_bytes", "must be at least 1024"));
        }
        if !(1024 * 1024..=60 * 1024 * 1024).contains(&self.max_upload_bytes) {
            return Err(invalid("max_upload_bytes", "must be between 1 MiB and 60 MiB"));
        }
        const TEN_YEARS: u64 = 10 * 365 * 24 * 3600;
        for (key, seconds) in [
            ("online_window_seconds", self.online_window_seconds),
            ("typing_timeout_seconds", self.typing_timeout_seconds),
            ("download_ttl_seconds", self.download_ttl_seconds),
            ("session_idle_seconds", self.session_idle_seconds),
            ("session_lifetime_seconds", self.session_lifetime_seconds),
        ] {
            if seconds == 0 || seconds > TEN_YEARS {
                return Err(invalid(key, "must be between 1 second and 10 years"));
            }
        }
        if let Some(bad) = self.trusted_proxies.iter().find(|p| parse_net(p).is_none()) {
            return Err(invalid("trusted_proxies", &format!("'{bad}' is not an IP address or a CIDR range")));
        }
        for (key, per_minute) in [
            ("sign_in_per_minute", self.sign_in_per_minute),
            ("public_pages_per_minute", self.public_pages_per_minute),
            ("files_per_minute", self.files_per_minute),
            ("widget_requests_per_minute", self.widget_requests_per_minute),
            ("widget_messages_per_minute", self.widget_messages_per_minute),
            ("widget_conversations_per_hour", self.widget_conversations_per_hour),
            ("widget_visitors_per_hour", self.widget_visitors_per_hour),
            ("api_calls_per_minute_per_token", self.api_calls_per_minute_per_token),
            ("api_calls_per_minute_per_address", self.api_calls_per_minute_per_address),
            ("api_failed_auth_per_minute", self.api_failed_auth_per_minute),
            ("widget_uploads_per_hour", self.widget_uploads_per_hour),
        ] {
            if per_minute < 2 {
                return Err(invalid(key, "must be at least 2"));
            }
        }
        if !self.metrics_token.is_empty() && self.metrics_token.trim().len() < 16 {
            return Err(invalid("metrics_token", "must be at least 16 characters (or empty: loopback only)"));
        }
        if self.db_pool_size == 0 {
            return Err(invalid("db_pool_size", "must be at least 1"));
        }
        Ok(())
    }

    /// The absolute URL prefix for links the API hands out, without a trailing slash.
    pub fn public_base(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}{}", self.bind, self.base_path)
        } else {
            self.public_url.trim_end_matches('/').to_string()
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("switchboard.db")
    }

    pub fn uploads_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    /// The configuration as TOML, for `switchboard config`, secrets masked.
    pub fn to_masked_toml(&self) -> String {
        let mut shown = self.clone();
        if !shown.metrics_token.is_empty() {
            shown.metrics_token = "***".into();
        }
        toml::to_string(&shown).unwrap_or_default()
    }
}

fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
    text.parse::<toml::Table>().map_err(|e| invalid(&path.display().to_string(), e.message()))
}

/// Overlays `SWITCHBOARD_<KEY>` variables. The type of each key is taken from its
/// default value, so adding a field to [`Config`] is all it takes to get its variable.
fn apply_env(table: &mut toml::Table, vars: impl Iterator<Item = (String, String)>) -> Result<(), ConfigError> {
    let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
    for (name, raw) in vars {
        let Some(key) = name.strip_prefix("SWITCHBOARD_") else { continue };
        let key = key.to_ascii_lowercase();
        if key == "config" {
            continue;
        }
        let value = match defaults.get(&key) {
            Some(toml::Value::Integer(_)) => raw
                .trim()
                .parse::<i64>()
                .map(toml::Value::Integer)
                .map_err(|_| invalid(&name, "must be a whole number"))?,
            Some(toml::Value::Array(_)) => toml::Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| toml::Value::String(s.into()))
                    .collect(),
            ),
            Some(_) => toml::Value::String(raw),
            None => return Err(invalid(&name, "is not a known setting")),
        };
        table.insert(key, value);
    }
    Ok(())
}

/// An address or a CIDR range.
pub fn parse_net(text: &str) -> Option<ipnet::IpNet> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>().ok().or_else(|| text.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

fn invalid(origin: &str, message: &str) -> ConfigError {
    ConfigError::Invalid { origin: origin.to_string(), message: message.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn env_overrides_file_and_keeps_types() {
        let mut table: toml::Table = "bind = '0.0.0.0:1'\nmax_body_bytes = 5000".parse().unwrap();
        apply_env(&mut table, vars(&[("SWITCHBOARD_BIND", "127.0.0.1:9"), ("SWITCHBOARD_ONLINE_WINDOW_SECONDS", "5")]))
            .unwrap();
        let config: Config = table.try_into().unwrap();
        assert_eq!(config.bind, "127.0.0.1:9");
        assert_eq!(config.max_body_bytes, 5000);
        assert_eq!(config.online_window_seconds, 5);
    }

    #[test]
    fn trusted_proxies_come_as_a_comma_separated_variable_and_must_be_addresses() {
        let mut table = toml::Table::new();
        apply_env(&mut table, vars(&[("SWITCHBOARD_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")])).unwrap();
        let config: Config = table.try_into().unwrap();
        assert_eq!(config.trusted_proxies, ["127.0.0.1", "10.0.0.0/8"]);
        assert!(config.validate().is_ok());
        assert!(Config { trusted_proxies: vec!["proxy.local".into()], ..Config::default() }.validate().is_err());
    }

    #[test]
    fn unknown_keys_are_errors_in_file_and_env() {
        let table: toml::Table = "bnid = 'x'".parse().unwrap();
        assert!(table.try_into::<Config>().is_err());
        let mut table = toml::Table::new();
        assert!(apply_env(&mut table, vars(&[("SWITCHBOARD_BNID", "x")])).is_err());
        assert!(apply_env(&mut table, vars(&[("SWITCHBOARD_DB_POOL_SIZE", "many")])).is_err());
    }

    #[test]
    fn durations_out_of_range_are_refused() {
        let config = Config { download_ttl_seconds: u64::MAX, ..Config::default() };
        assert!(config.validate().is_err());
        assert!(Config { online_window_seconds: 0, ..Config::default() }.validate().is_err());
        assert!(Config::default().validate().is_ok());
    }

    #[test]
    fn public_base_defaults_to_bind_and_base_path() {
        let config = Config { base_path: "/script".into(), ..Config::default() };
        assert_eq!(config.public_base(), "http://127.0.0.1:8080/script");
        let config = Config { public_url: "https://help.example.com/".into(), ..Config::default() };
        assert_eq!(config.public_base(), "https://help.example.com");
    }
}
