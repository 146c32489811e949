//! The SMTP sink of the tests: `tests/support/smtp_sink.py` (Python `aiosmtpd`) as a real process on a
//! free port, writing each message it receives as a JSON file that the tests read.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running (or stopped) SMTP sink.
pub struct SmtpSink {
    pub port: u16,
    pub folder: PathBuf,
    child: Option<Child>,
}

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl SmtpSink {
    /// Starts a sink on a free port with an empty folder.
    pub fn start() -> Self {
        let folder = std::env::temp_dir().join(format!("repere-smtp-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&folder).expect("sink folder");
        let mut sink = Self {
            port: free_port(),
            folder,
            child: None,
        };
        sink.resume();
        sink
    }

    /// `smtp://127.0.0.1:port` (no TLS), for `REPERE_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the process again on the same port and folder; waits until it listens.
    pub fn resume(&mut self) {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--folder")
            .arg(&self.folder)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the SMTP sink (pip install -r tests/support/requirements.txt)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the sink says it is ready");
        assert_eq!(line.trim(), "ready", "SMTP sink did not start");
        self.child = Some(child);
    }

    /// Stops the process (mails sent meanwhile fail, as with a server down).
    pub fn pause(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<Value> {
        let mut names: Vec<_> = std::fs::read_dir(&self.folder)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .filter_map(|n| std::fs::read_to_string(self.folder.join(n)).ok())
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect()
    }

    /// The messages sent to `to`.
    pub fn to(&self, to: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["to"].as_array().is_some_and(|a| a.iter().any(|x| x == to)))
            .collect()
    }

    /// Waits (up to `timeout`) until `to` has received at least `n` messages; returns them.
    pub async fn wait_for(&self, to: &str, n: usize, timeout: Duration) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let got = self.to(to);
            if got.len() >= n {
                return got;
            }
            assert!(
                start.elapsed() < timeout,
                "{to} received {} message(s), {n} expected: {got:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.pause();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// The link of a mail's action (first `http` address after `marker` in the text part).
pub fn link_after(mail: &Value, marker: &str) -> String {
    let text = mail["text"].as_str().unwrap_or_default();
    let from = text.find(marker).unwrap_or_else(|| panic!("{marker} in {text}"));
    let rest = &text[from..];
    let start = rest.find("http").expect("a link");
    rest[start..].split_whitespace().next().expect("a link").to_string()
}
