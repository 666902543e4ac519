//! A real headless Chromium, driven over WebDriver by chromedriver (Debian's
//! `chromium` and `chromium-driver`, which `.ci/run` installs). Both are found on
//! `PATH`, or where `TEST_CHROMIUM` and `TEST_CHROMEDRIVER` say (not
//! `SWITCHBOARD_*`: the server refuses variables of its prefix it does not know). Each
//! `Browser` has its own chromedriver on a free port and its own empty profile.

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Where tests leave their screenshots for people to look at (`target/screenshots`).
pub fn screenshot_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("screenshots")
}

/// A program the browser tests need, and where it comes from.
struct Needed {
    /// The variable that overrides the search.
    variable: &'static str,
    /// Names to look for on `PATH`, in order.
    names: &'static [&'static str],
    /// The Debian package that installs it.
    package: &'static str,
}

const CHROMIUM: Needed =
    Needed { variable: "TEST_CHROMIUM", names: &["chromium", "chromium-browser"], package: "chromium" };
const CHROMEDRIVER: Needed =
    Needed { variable: "TEST_CHROMEDRIVER", names: &["chromedriver"], package: "chromium-driver" };

impl Needed {
    /// The program named by the variable if set, else the first on `PATH`, else why not.
    fn find(&self) -> Result<PathBuf, String> {
        if let Some(path) = std::env::var_os(self.variable).filter(|path| !path.is_empty()) {
            let path = PathBuf::from(path);
            return if is_program(&path) {
                Ok(path)
            } else {
                Err(format!("{}={} is not a program", self.variable, path.display()))
            };
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .flat_map(|dir| self.names.iter().map(move |name| dir.join(name)))
            .find(|candidate| is_program(candidate))
            .ok_or_else(|| {
                format!(
                    "no {} on PATH (install Debian's `{}` package, or set {})",
                    self.names[0], self.package, self.variable
                )
            })
    }
}

fn is_program(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Chromium and chromedriver, or one message naming every package missing.
fn programs() -> (PathBuf, PathBuf) {
    match (CHROMIUM.find(), CHROMEDRIVER.find()) {
        (Ok(chromium), Ok(driver)) => (chromium, driver),
        (chromium, driver) => {
            let missing: Vec<(String, &str)> = [(chromium, CHROMIUM.package), (driver, CHROMEDRIVER.package)]
                .into_iter()
                .filter_map(|(found, package)| found.err().map(|why| (why, package)))
                .collect();
            let reasons: Vec<&str> = missing.iter().map(|(why, _)| why.as_str()).collect();
            let packages: Vec<&str> = missing.iter().map(|(_, package)| *package).collect();
            panic!(
                "the browser tests cannot start: {}. On Debian or Ubuntu: sudo apt-get install {} (as .ci/run does)",
                reasons.join("; "),
                packages.join(" ")
            )
        }
    }
}

impl Browser {
    pub fn start() -> Self {
        let (chromium, driver_path) = programs();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        // The test build links two rustls crypto backends (the SMTP test server brings
        // aws-lc); say which one the WebDriver client uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let profile = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1280,900", format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = runtime
            .block_on(async {
                ClientBuilder::rustls()
                    .expect("rustls client")
                    .capabilities(capabilities)
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await
            })
            .expect("a Chromium session");
        Self { runtime, client: Some(client), driver, _profile: profile }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the browser is open")
    }

    pub fn goto(&self, url: &str) {
        self.runtime.block_on(self.client().goto(url)).unwrap();
    }

    pub fn url(&self) -> String {
        self.runtime.block_on(self.client().current_url()).unwrap().to_string()
    }

    pub fn fill(&self, css: &str, text: &str) {
        self.runtime
            .block_on(async {
                let field = self.client().find(Locator::Css(css)).await?;
                field.clear().await?;
                field.send_keys(text).await
            })
            .unwrap_or_else(|err| panic!("fill {css}: {err}"));
    }

    pub fn click(&self, css: &str) {
        self.runtime
            .block_on(async { self.client().find(Locator::Css(css)).await?.click().await })
            .unwrap_or_else(|err| panic!("click {css}: {err}"));
    }

    /// Clicks `css` and waits until the page it leads to has loaded.
    pub fn submit(&self, css: &str) {
        self.eval("document.documentElement.dataset.leaving = '1'; return true;");
        self.click(css);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let arrived = self.eval(
                "return document.readyState === 'complete' && document.documentElement.dataset.leaving === undefined;",
            );
            if arrived == serde_json::json!(true) {
                return;
            }
            assert!(Instant::now() < deadline, "clicking {css} led nowhere");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The visible text of the first element matching `css`.
    pub fn text(&self, css: &str) -> String {
        self.runtime
            .block_on(async { self.client().find(Locator::Css(css)).await?.text().await })
            .unwrap_or_else(|err| panic!("text of {css}: {err}"))
    }

    pub fn exists(&self, css: &str) -> bool {
        self.runtime.block_on(self.client().find_all(Locator::Css(css))).map(|found| !found.is_empty()).unwrap_or(false)
    }

    /// The page's HTML as the browser holds it now.
    pub fn source(&self) -> String {
        self.runtime.block_on(self.client().source()).unwrap()
    }

    /// Runs a script in the page and answers its result (tests only; pages run none inline).
    pub fn eval(&self, script: &str) -> serde_json::Value {
        self.runtime.block_on(self.client().execute(script, vec![])).unwrap()
    }

    /// Waits (up to `seconds`) until an element matching `css` contains `text`.
    pub fn wait_for_text(&self, css: &str, text: &str, seconds: u64) {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            if self.exists(css) && self.text(css).contains(text) {
                return;
            }
            assert!(Instant::now() < deadline, "'{text}' never appeared in {css}; page: {}", self.source());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (up to `seconds`) until exactly `count` elements match `css`.
    #[track_caller]
    pub fn wait_for_count(&self, css: &str, count: usize, seconds: u64) {
        let script = format!("return document.querySelectorAll({}).length;", serde_json::json!(css));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let found = self.eval(&script);
            if found == serde_json::json!(count) {
                return;
            }
            assert!(Instant::now() < deadline, "{count} of {css} expected, {found} found; page: {}", self.source());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (up to `seconds`) until `script`, a function body, returns `true`.
    #[track_caller]
    pub fn wait_until(&self, script: &str, what: &str, seconds: u64) {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            if self.eval(script) == serde_json::json!(true) {
                return;
            }
            assert!(Instant::now() < deadline, "{what} never happened");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs an asynchronous script: its last argument is a function that it calls
    /// with its answer.
    pub fn eval_async(&self, script: &str) -> serde_json::Value {
        self.runtime.block_on(self.client().execute_async(script, vec![])).unwrap()
    }

    pub fn set_window_size(&self, width: u32, height: u32) {
        self.runtime.block_on(self.client().set_window_size(width, height)).unwrap();
    }

    /// The element matching `css` inside the open shadow root of the element matching `host`.
    async fn in_shadow(
        &self,
        host: &str,
        css: &str,
    ) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
        self.client().find(Locator::Css(host)).await?.shadow_root().await?.find(Locator::Css(css)).await
    }

    /// Clicks, as a person would, the element matching `css` inside `host`'s shadow root.
    pub fn click_in_shadow(&self, host: &str, css: &str) {
        self.runtime
            .block_on(async { self.in_shadow(host, css).await?.click().await })
            .unwrap_or_else(|err| panic!("click {css} in {host}: {err}"));
    }

    /// Types `text` with the keyboard into the field matching `css` inside `host`'s shadow root.
    pub fn type_in_shadow(&self, host: &str, css: &str, text: &str) {
        self.runtime
            .block_on(async { self.in_shadow(host, css).await?.send_keys(text).await })
            .unwrap_or_else(|err| panic!("type into {css} in {host}: {err}"));
    }

    /// The visible text of the element matching `css` inside `host`'s shadow root.
    pub fn text_in_shadow(&self, host: &str, css: &str) -> String {
        self.runtime
            .block_on(async { self.in_shadow(host, css).await?.text().await })
            .unwrap_or_else(|err| panic!("text of {css} in {host}: {err}"))
    }

    /// The text of the JavaScript dialog (alert, confirm) open now, if one is.
    pub fn dialog(&self) -> Option<String> {
        self.runtime.block_on(self.client().get_alert_text()).ok()
    }

    /// Saves a PNG of the page under `target/screenshots/<name>.png`.
    pub fn screenshot(&self, name: &str) {
        let png = self.runtime.block_on(self.client().screenshot()).unwrap();
        std::fs::create_dir_all(screenshot_dir()).unwrap();
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
    }
}
