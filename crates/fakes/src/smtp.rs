//! A loopback SMTP mail sink: accepts mail from a plain-text client (lettre's `builder_dangerous`), keeps
//! every message in memory, optionally writes each one as an `.eml` file, and can be told to fail.
//!
//! It speaks EHLO/HELO, AUTH PLAIN/LOGIN (only when credentials are configured), MAIL FROM, RCPT TO, DATA
//! (dot-unstuffing, ends at `CRLF.CRLF`), RSET, NOOP and QUIT. STARTTLS is never offered. Relaying,
//! queueing and delivery are out of scope: a mail that got `250` is simply recorded.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Longest command line accepted (RFC 5321 says 512; AUTH initial responses can be longer).
const MAX_COMMAND_LINE: u64 = 4096;
/// Longest line inside DATA; RFC 5321 says 1000, but a sink should not be stricter than real servers.
const MAX_DATA_LINE: u64 = 64 * 1024;
const DEFAULT_MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// One message accepted by the sink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`), empty for the null sender `<>`.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub to: Vec<String>,
    /// The message as sent after `DATA`: headers and body, CRLF line endings, dots unstuffed.
    pub data: String,
}

impl ReceivedMail {
    /// The value of the first header called `name` (case-insensitive), unfolded; `None` if absent.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self
            .data
            .split("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .replace("\r\n ", " ")
            .replace("\r\n\t", " ");
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
        })
    }

    /// Everything after the blank line that ends the headers (still in its transfer encoding).
    pub fn body(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .map(|(_, body)| body)
            .unwrap_or_default()
    }
}

/// Options for a [`MailSink`]; [`MailSink::start`] uses the defaults.
#[derive(Debug, Clone)]
pub struct MailSinkBuilder {
    hostname: String,
    credentials: Option<(String, String)>,
    outbox: Option<PathBuf>,
    max_message_bytes: usize,
}

impl Default for MailSinkBuilder {
    fn default() -> Self {
        Self {
            hostname: "mail-sink.audienceos.test".to_owned(),
            credentials: None,
            outbox: None,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }
}

impl MailSinkBuilder {
    /// The name the server gives in its greeting and EHLO answer.
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = hostname.into();
        self
    }

    /// Offer `AUTH PLAIN LOGIN` and require these credentials before `MAIL FROM`.
    pub fn auth(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((username.into(), password.into()));
        self
    }

    /// Also write every accepted message to `dir` as `<unix-millis>-<seq>.eml` (created if missing).
    /// The file is complete (written then renamed) before the client gets its `250`.
    pub fn outbox(mut self, dir: impl Into<PathBuf>) -> Self {
        self.outbox = Some(dir.into());
        self
    }

    /// Messages larger than this get `552` (default 25 MiB); also advertised as `SIZE`.
    pub fn max_message_bytes(mut self, bytes: usize) -> Self {
        self.max_message_bytes = bytes;
        self
    }

    /// Binds `addr` (port 0 picks a free port) and serves until the sink is dropped.
    ///
    /// Must be called inside a Tokio runtime.
    pub fn start(self, addr: &str) -> anyhow::Result<MailSink> {
        let runtime =
            tokio::runtime::Handle::try_current().context("MailSink::start must be called inside a Tokio runtime")?;
        if let Some(dir) = &self.outbox {
            std::fs::create_dir_all(dir).with_context(|| format!("creating the outbox {}", dir.display()))?;
        }
        let std_listener =
            std::net::TcpListener::bind(addr).with_context(|| format!("binding the SMTP sink to {addr}"))?;
        std_listener.set_nonblocking(true)?;
        let local_addr = std_listener.local_addr()?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let (count, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            config: self,
            messages: Mutex::new(Vec::new()),
            count,
            fail_next: AtomicUsize::new(0),
            sequence: AtomicU64::new(0),
        });
        let task = runtime.spawn(accept_loop(listener, Arc::clone(&shared)));
        tracing::debug!(addr = %local_addr, "SMTP sink listening");
        Ok(MailSink {
            addr: local_addr,
            shared,
            task,
        })
    }
}

/// A running SMTP sink; it stops (listener and open connections) when dropped.
#[derive(Debug)]
pub struct MailSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl MailSink {
    /// Starts a sink with default options on `addr` (e.g. `"127.0.0.1:0"`).
    pub fn start(addr: &str) -> anyhow::Result<MailSink> {
        MailSinkBuilder::default().start(addr)
    }

    /// Options beyond the defaults: authentication, an outbox folder, a size limit.
    pub fn builder() -> MailSinkBuilder {
        MailSinkBuilder::default()
    }

    /// The address the sink listens on (with the real port when started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every message accepted so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.lock_messages().clone()
    }

    /// Waits until at least `n` messages have arrived and returns all of them, or fails after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> anyhow::Result<Vec<ReceivedMail>> {
        let mut count = self.shared.count.subscribe();
        let waited = tokio::time::timeout(timeout, count.wait_for(|c| *c >= n))
            .await
            .map(|arrived| arrived.map(|_| ()));
        match waited {
            Ok(Ok(())) => Ok(self.messages()),
            Ok(Err(_)) => bail!("the SMTP sink stopped while waiting for {n} messages"),
            Err(_) => bail!(
                "timed out after {timeout:?} waiting for {n} messages; {} arrived",
                self.shared.lock_messages().len()
            ),
        }
    }

    /// Makes the next `n` `DATA` commands answer `451 4.3.0 try again later` (a transient failure).
    pub fn fail_next(&self, n: usize) {
        self.shared.fail_next.store(n, Ordering::SeqCst);
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every open connection.
        self.task.abort();
    }
}

#[derive(Debug)]
struct Shared {
    config: MailSinkBuilder,
    messages: Mutex<Vec<ReceivedMail>>,
    count: watch::Sender<usize>,
    fail_next: AtomicUsize,
    sequence: AtomicU64,
}

impl Shared {
    fn lock_messages(&self) -> MutexGuard<'_, Vec<ReceivedMail>> {
        // A panic elsewhere while holding the lock cannot leave the Vec half-written; keep serving.
        self.messages.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take_failure(&self) -> bool {
        self.fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    async fn record(&self, mail: ReceivedMail) -> anyhow::Result<()> {
        let seq = self.sequence.fetch_add(1, Ordering::SeqCst);
        if let Some(dir) = &self.config.outbox {
            write_eml(dir, seq, &mail).await?;
        }
        let mut messages = self.lock_messages();
        messages.push(mail);
        self.count.send_replace(messages.len());
        Ok(())
    }
}

async fn write_eml(dir: &Path, seq: u64, mail: &ReceivedMail) -> anyhow::Result<PathBuf> {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let name = format!("{millis:013}-{seq:06}.eml");
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(name);
    tokio::fs::write(&tmp, mail.data.as_bytes())
        .await
        .with_context(|| format!("writing {}", tmp.display()))?;
    tokio::fs::rename(&tmp, &path)
        .await
        .with_context(|| format!("renaming {} into place", tmp.display()))?;
    tracing::info!(path = %path.display(), "mail written to the outbox");
    Ok(path)
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        if let Err(error) = Session::new(stream, shared).run().await {
                            tracing::debug!(%peer, error = %error, "SMTP connection ended with an error");
                        }
                    });
                }
                Err(error) => {
                    tracing::warn!(error = %error, "SMTP accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// What the client asked for next, as decided by one command line.
enum Flow {
    Continue,
    Quit,
}

struct Session {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    shared: Arc<Shared>,
    greeted: bool,
    authenticated: bool,
    from: Option<String>,
    to: Vec<String>,
}

impl Session {
    fn new(stream: TcpStream, shared: Arc<Shared>) -> Self {
        let (read, write) = stream.into_split();
        let authenticated = shared.config.credentials.is_none();
        Self {
            reader: BufReader::new(read),
            writer: write,
            shared,
            greeted: false,
            authenticated,
            from: None,
            to: Vec::new(),
        }
    }

    async fn run(mut self) -> anyhow::Result<()> {
        let greeting = format!("220 {} ESMTP AudienceOS mail sink", self.hostname());
        self.reply(&greeting).await?;
        loop {
            let Some(line) = self.read_line(MAX_COMMAND_LINE).await? else {
                return Ok(());
            };
            if let Flow::Quit = self.command(&line).await? {
                return Ok(());
            }
        }
    }

    fn hostname(&self) -> &str {
        &self.shared.config.hostname
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }

    async fn command(&mut self, line: &str) -> anyhow::Result<Flow> {
        let (verb, arg) = match line.split_once(' ') {
            Some((verb, arg)) => (verb, arg.trim()),
            None => (line, ""),
        };
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => self.ehlo(arg).await?,
            "HELO" => self.helo(arg).await?,
            "AUTH" => self.auth(arg).await?,
            "MAIL" => self.mail(arg).await?,
            "RCPT" => self.rcpt(arg).await?,
            "DATA" => self.data(arg).await?,
            "RSET" => {
                self.reset();
                self.reply("250 2.0.0 OK").await?;
            }
            "NOOP" => self.reply("250 2.0.0 OK").await?,
            "QUIT" => {
                self.reply("221 2.0.0 Bye").await?;
                return Ok(Flow::Quit);
            }
            _ => self.reply("500 5.5.2 Command not recognized").await?,
        }
        Ok(Flow::Continue)
    }

    async fn ehlo(&mut self, domain: &str) -> anyhow::Result<()> {
        if domain.is_empty() {
            return self.reply("501 5.5.4 EHLO needs a domain").await;
        }
        self.reset();
        self.greeted = true;
        let mut lines = vec![
            format!("{} greets {domain}", self.hostname()),
            "8BITMIME".to_owned(),
            "SMTPUTF8".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
            format!("SIZE {}", self.shared.config.max_message_bytes),
        ];
        if self.shared.config.credentials.is_some() {
            lines.push("AUTH PLAIN LOGIN".to_owned());
        }
        let last = lines.len() - 1;
        let reply: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| format!("250{}{line}", if i == last { ' ' } else { '-' }))
            .collect();
        self.reply(&reply.join("\r\n")).await
    }

    async fn helo(&mut self, domain: &str) -> anyhow::Result<()> {
        if domain.is_empty() {
            return self.reply("501 5.5.4 HELO needs a domain").await;
        }
        self.reset();
        self.greeted = true;
        let reply = format!("250 {}", self.hostname());
        self.reply(&reply).await
    }

    async fn auth(&mut self, arg: &str) -> anyhow::Result<()> {
        let Some((username, password)) = self.shared.config.credentials.clone() else {
            return self.reply("502 5.5.1 AUTH is not enabled").await;
        };
        if !self.greeted {
            return self.reply("503 5.5.1 Send EHLO first").await;
        }
        if self.authenticated {
            return self.reply("503 5.5.1 Already authenticated").await;
        }
        let (mechanism, initial) = match arg.split_once(' ') {
            Some((mechanism, initial)) => (mechanism, Some(initial.trim().to_owned())),
            None => (arg, None),
        };
        let given = match mechanism.to_ascii_uppercase().as_str() {
            "PLAIN" => {
                let Some(response) = self.challenge(initial, "").await? else {
                    return self.reply("501 5.7.0 Authentication cancelled").await;
                };
                // authzid NUL authcid NUL passwd
                let parts: Vec<String> = response
                    .split(|b| *b == 0)
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect();
                match parts.as_slice() {
                    [_, user, pass] => Some((user.clone(), pass.clone())),
                    _ => None,
                }
            }
            "LOGIN" => {
                let Some(user) = self.challenge(initial, "VXNlcm5hbWU6").await? else {
                    return self.reply("501 5.7.0 Authentication cancelled").await;
                };
                let Some(pass) = self.challenge(None, "UGFzc3dvcmQ6").await? else {
                    return self.reply("501 5.7.0 Authentication cancelled").await;
                };
                Some((
                    String::from_utf8_lossy(&user).into_owned(),
                    String::from_utf8_lossy(&pass).into_owned(),
                ))
            }
            _ => return self.reply("504 5.5.4 Unrecognized authentication type").await,
        };
        if given == Some((username, password)) {
            self.authenticated = true;
            self.reply("235 2.7.0 Authentication successful").await
        } else {
            self.reply("535 5.7.8 Authentication credentials invalid").await
        }
    }

    /// Gets one base64 answer: the initial response if the client sent one, else a `334` prompt.
    /// `None` means the client cancelled with `*` or sent something that is not base64.
    async fn challenge(&mut self, initial: Option<String>, prompt: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let answer = match initial {
            Some(answer) => answer,
            None => {
                self.reply(&format!("334 {prompt}")).await?;
                match self.read_line(MAX_COMMAND_LINE).await? {
                    Some(line) => line,
                    None => bail!("client closed the connection during AUTH"),
                }
            }
        };
        if answer == "*" {
            return Ok(None);
        }
        if answer == "=" {
            return Ok(Some(Vec::new()));
        }
        Ok(base64_decode(answer.trim()))
    }

    async fn mail(&mut self, arg: &str) -> anyhow::Result<()> {
        if !self.greeted {
            return self.reply("503 5.5.1 Send EHLO or HELO first").await;
        }
        if !self.authenticated {
            return self.reply("530 5.7.0 Authentication required").await;
        }
        if self.from.is_some() {
            return self.reply("503 5.5.1 Nested MAIL command").await;
        }
        match parse_path(arg, "FROM:") {
            Some(from) => {
                self.from = Some(from);
                self.reply("250 2.1.0 OK").await
            }
            None => self.reply("501 5.5.4 Syntax: MAIL FROM:<address>").await,
        }
    }

    async fn rcpt(&mut self, arg: &str) -> anyhow::Result<()> {
        if self.from.is_none() {
            return self.reply("503 5.5.1 Need MAIL before RCPT").await;
        }
        match parse_path(arg, "TO:") {
            Some(to) if !to.is_empty() => {
                self.to.push(to);
                self.reply("250 2.1.5 OK").await
            }
            _ => self.reply("501 5.5.4 Syntax: RCPT TO:<address>").await,
        }
    }

    async fn data(&mut self, arg: &str) -> anyhow::Result<()> {
        if !arg.is_empty() {
            return self.reply("501 5.5.4 DATA takes no arguments").await;
        }
        if self.from.is_none() || self.to.is_empty() {
            return self.reply("503 5.5.1 Need MAIL and RCPT before DATA").await;
        }
        if self.shared.take_failure() {
            self.reset();
            return self.reply("451 4.3.0 try again later").await;
        }
        self.reply("354 Start mail input; end with <CRLF>.<CRLF>").await?;
        let data = self.read_data().await?;
        let from = self.from.take().unwrap_or_default();
        let to = std::mem::take(&mut self.to);
        let Some(data) = data else {
            return self.reply("552 5.3.4 Message too big").await;
        };
        let recipients = to.len();
        let bytes = data.len();
        match self.shared.record(ReceivedMail { from, to, data }).await {
            Ok(()) => {
                tracing::info!(recipients, bytes, "mail accepted");
                self.reply("250 2.0.0 OK: message accepted").await
            }
            Err(error) => {
                tracing::error!(error = %format!("{error:#}"), "could not store a mail");
                self.reply("451 4.3.0 Could not store the message").await
            }
        }
    }

    /// Reads the DATA body up to the lone `.` line, undoing dot-stuffing. `None` when it was too big
    /// (the body is still read to its end so the session stays in step).
    async fn read_data(&mut self) -> anyhow::Result<Option<String>> {
        let max = self.shared.config.max_message_bytes;
        let mut data = Vec::new();
        let mut too_big = false;
        // Lines longer than MAX_DATA_LINE arrive in pieces; only a piece that starts a line is unstuffed.
        let mut at_line_start = true;
        loop {
            let mut line = Vec::new();
            let read = read_piece(&mut self.reader, MAX_DATA_LINE, &mut line);
            let n = tokio::time::timeout(IDLE_TIMEOUT, read)
                .await
                .context("SMTP client idle for too long during DATA")??;
            if n == 0 {
                bail!("client closed the connection during DATA");
            }
            if at_line_start && (line == b".\r\n" || line == b".\n") {
                break;
            }
            let unstuffed = if at_line_start && line.starts_with(b".") {
                &line[1..]
            } else {
                &line[..]
            };
            at_line_start = line.ends_with(b"\n");
            if data.len() + unstuffed.len() > max {
                too_big = true;
            }
            if !too_big {
                data.extend_from_slice(unstuffed);
            }
        }
        Ok((!too_big).then(|| String::from_utf8_lossy(&data).into_owned()))
    }

    /// One command line without its line ending; `None` at end of stream.
    async fn read_line(&mut self, limit: u64) -> anyhow::Result<Option<String>> {
        let mut line = Vec::new();
        let read = read_piece(&mut self.reader, limit, &mut line);
        let n = tokio::time::timeout(IDLE_TIMEOUT, read)
            .await
            .context("SMTP client idle for too long")??;
        if n == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            self.reply("500 5.5.2 Line too long").await?;
            bail!("command line longer than {limit} bytes");
        }
        let text = String::from_utf8_lossy(&line);
        Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()))
    }

    async fn reply(&mut self, text: &str) -> anyhow::Result<()> {
        self.writer.write_all(text.as_bytes()).await?;
        self.writer.write_all(b"\r\n").await?;
        self.writer.flush().await?;
        Ok(())
    }
}

/// Reads up to and including the next `\n`, but at most `limit` bytes.
async fn read_piece(reader: &mut BufReader<OwnedReadHalf>, limit: u64, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut limited = reader.take(limit);
    limited.read_until(b'\n', buf).await
}

/// Parses `FROM:<a@b> PARAMS` / `TO:<a@b>` (keyword case-insensitive, brackets optional as some clients
/// omit them); returns the address, empty for the null path `<>`.
fn parse_path(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let address = if let Some(inner) = rest.strip_prefix('<') {
        inner.split_once('>')?.0
    } else {
        rest.split_whitespace().next().unwrap_or_default()
    };
    if address.contains(char::is_whitespace) {
        return None;
    }
    Some(address.to_owned())
}

/// Standard base64 (with or without padding); `None` on any invalid character.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let [_, a, b, c] = acc.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..chunk.len() - 1]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decode_handles_padding_and_rejects_garbage() {
        assert_eq!(base64_decode("VXNlcm5hbWU6").unwrap(), b"Username:");
        assert_eq!(base64_decode("AHVzZXIAcGFzcw==").unwrap(), b"\0user\0pass");
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert_eq!(base64_decode("").unwrap(), b"");
        assert!(base64_decode("a$b=").is_none());
    }

    #[test]
    fn parse_path_reads_addresses_params_and_the_null_path() {
        assert_eq!(
            parse_path("FROM:<a@b.test> BODY=8BITMIME", "FROM:").as_deref(),
            Some("a@b.test")
        );
        assert_eq!(parse_path("from: <a@b.test>", "FROM:").as_deref(), Some("a@b.test"));
        assert_eq!(parse_path("FROM:<>", "FROM:").as_deref(), Some(""));
        assert_eq!(parse_path("TO:c@d.test", "TO:").as_deref(), Some("c@d.test"));
        assert_eq!(parse_path("TO <c@d.test>", "TO:"), None);
        assert_eq!(parse_path("FROM:<a@b.test", "FROM:"), None);
    }

    #[test]
    fn received_mail_reads_folded_headers_and_the_body() {
        let mail = ReceivedMail {
            from: String::new(),
            to: vec![],
            data: "Subject: Hello\r\n there\r\nFrom: a@b.test\r\n\r\nBody line\r\n".to_owned(),
        };
        assert_eq!(mail.header("subject").as_deref(), Some("Hello there"));
        assert_eq!(mail.header("To"), None);
        assert_eq!(mail.body(), "Body line\r\n");
    }
}
