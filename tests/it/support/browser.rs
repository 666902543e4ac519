//! A real headless Chromium, driven over WebDriver by chromedriver (Debian's
//! `chromium` and `chromium-driver`, which `.ci/run` installs). Each `Browser` has
//! its own chromedriver on a free port and its own empty profile.

use fantoccini::{Client, ClientBuilder, Locator};
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

impl Browser {
    pub fn start() -> Self {
        let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("browser tests need chromedriver: apt-get install chromium chromium-driver (as .ci/run does)");
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
                "binary": "/usr/bin/chromium",
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

    /// Saves a PNG of the page under `target/screenshots/<name>.png`.
    pub fn screenshot(&self, name: &str) {
        let png = self.runtime.block_on(self.client().screenshot()).unwrap();
        std::fs::create_dir_all(screenshot_dir()).unwrap();
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
    }
}
