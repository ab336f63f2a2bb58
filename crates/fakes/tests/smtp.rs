//! The SMTP sink against lettre's real client, plus raw protocol cases lettre never exercises.

use std::time::Duration;

use audienceos_fakes::smtp::MailSink;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(5);

fn transport(sink: &MailSink) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.addr().port())
        .timeout(Some(WAIT))
        .build()
}

fn message(to: &str, subject: &str, body: &str) -> Message {
    Message::builder()
        .from("AudienceOS <no-reply@audienceos.test>".parse().unwrap())
        .to(to.parse().unwrap())
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_owned())
        .unwrap()
}

#[tokio::test]
async fn two_mails_over_one_transport_arrive_with_sender_recipients_subject_and_body() {
    let sink = MailSink::start("127.0.0.1:0").unwrap();
    let mailer = transport(&sink);

    mailer
        .send(message("owner@agency.test", "Reset your password", "Follow the link."))
        .await
        .unwrap();
    mailer
        .send(message(
            "Member <member@agency.test>",
            "You are invited",
            "Join us.\n.leading dot stays",
        ))
        .await
        .unwrap();

    let mails = sink.wait_for(2, WAIT).await.unwrap();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].from, "no-reply@audienceos.test");
    assert_eq!(mails[0].to, vec!["owner@agency.test".to_owned()]);
    assert_eq!(mails[0].header("Subject").as_deref(), Some("Reset your password"));
    assert!(mails[0].body().contains("Follow the link."), "{mails:?}");
    assert_eq!(mails[1].to, vec!["member@agency.test".to_owned()]);
    assert_eq!(mails[1].header("subject").as_deref(), Some("You are invited"));
    assert!(mails[1].body().contains("Join us.\r\n.leading dot stays"), "{mails:?}");
    assert_eq!(sink.messages(), mails);
}

#[tokio::test]
async fn fail_next_makes_one_send_fail_transiently_and_the_next_succeed() {
    let sink = MailSink::start("127.0.0.1:0").unwrap();
    let mailer = transport(&sink);
    sink.fail_next(1);

    let error = mailer
        .send(message("owner@agency.test", "First", "Not delivered."))
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    assert!(error.to_string().contains("try again later"), "{error}");
    assert!(sink.messages().is_empty());

    mailer
        .send(message("owner@agency.test", "Second", "Delivered."))
        .await
        .unwrap();
    let mails = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].header("Subject").as_deref(), Some("Second"));
}

#[tokio::test]
async fn configured_auth_accepts_the_right_credentials_and_rejects_others() {
    let sink = MailSink::builder()
        .auth("mailer", "s3cret")
        .start("127.0.0.1:0")
        .unwrap();
    let with = |user: &str, pass: &str| {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(sink.addr().port())
            .credentials(Credentials::new(user.to_owned(), pass.to_owned()))
            .timeout(Some(WAIT))
            .build()
    };

    let error = with("mailer", "wrong")
        .send(message("a@agency.test", "Nope", "x"))
        .await
        .unwrap_err();
    assert!(error.is_permanent(), "{error:?}");
    with("mailer", "s3cret")
        .send(message("a@agency.test", "Yes", "x"))
        .await
        .unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_outbox_gets_one_eml_file_per_mail_before_the_client_hears_250() {
    let dir = std::env::temp_dir().join(format!("aos-fakes-outbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sink = MailSink::builder().outbox(&dir).start("127.0.0.1:0").unwrap();

    transport(&sink)
        .send(message("owner@agency.test", "Saved", "On disk."))
        .await
        .unwrap();

    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().unwrap(), "eml");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("Subject: Saved\r\n"), "{text}");
    assert!(text.contains("On disk."), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A hand-driven SMTP client for protocol details.
struct Raw {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Raw {
    async fn connect(sink: &MailSink) -> Raw {
        let (read, writer) = TcpStream::connect(sink.addr()).await.unwrap().into_split();
        let mut raw = Raw {
            reader: BufReader::new(read),
            writer,
        };
        assert!(raw.reply().await.starts_with("220 "));
        raw
    }

    /// One full reply (all lines of a multi-line one), joined with `\n`.
    async fn reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            let line = line.trim_end().to_owned();
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return lines.join("\n");
            }
        }
    }

    async fn send(&mut self, text: &str) -> String {
        self.writer.write_all(text.as_bytes()).await.unwrap();
        self.reply().await
    }
}

#[tokio::test]
async fn ehlo_offers_no_starttls_and_no_auth_by_default() {
    let sink = MailSink::start("127.0.0.1:0").unwrap();
    let mut raw = Raw::connect(&sink).await;
    let ehlo = raw.send("EHLO client.test\r\n").await;
    assert!(ehlo.starts_with("250-"), "{ehlo}");
    assert!(ehlo.lines().last().unwrap().starts_with("250 "), "{ehlo}");
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    assert!(raw.send("HELO client.test\r\n").await.starts_with("250 "));
}

#[tokio::test]
async fn one_connection_carries_several_mails_with_rset_noop_unstuffing_and_errors() {
    let sink = MailSink::start("127.0.0.1:0").unwrap();
    let mut raw = Raw::connect(&sink).await;

    assert!(raw.send("MAIL FROM:<a@x.test>\r\n").await.starts_with("503"));
    raw.send("EHLO client.test\r\n").await;
    assert!(raw.send("RCPT TO:<b@x.test>\r\n").await.starts_with("503"));
    assert!(raw.send("DATA\r\n").await.starts_with("503"));
    assert!(raw.send("VRFY someone\r\n").await.starts_with("500"));
    assert!(raw.send("NOOP\r\n").await.starts_with("250"));

    assert!(raw.send("MAIL FROM:<a@x.test>\r\n").await.starts_with("250"));
    assert!(raw.send("RCPT TO:<dropped@x.test>\r\n").await.starts_with("250"));
    assert!(raw.send("RSET\r\n").await.starts_with("250"));

    assert!(raw
        .send("mail from:<a@x.test> BODY=8BITMIME\r\n")
        .await
        .starts_with("250"));
    assert!(raw.send("RCPT TO:<b@x.test>\r\n").await.starts_with("250"));
    assert!(raw.send("RCPT TO:<c@x.test>\r\n").await.starts_with("250"));
    assert!(raw.send("DATA\r\n").await.starts_with("354"));
    let first = raw.send("Subject: one\r\n\r\n..dot stuffed\r\n..\r\n.\r\n").await;
    assert!(first.starts_with("250"), "{first}");

    assert!(raw.send("MAIL FROM:<>\r\n").await.starts_with("250"));
    assert!(raw.send("RCPT TO:<d@x.test>\r\n").await.starts_with("250"));
    sink.fail_next(1);
    assert_eq!(raw.send("DATA\r\n").await, "451 4.3.0 try again later");
    assert!(raw.send("MAIL FROM:<>\r\n").await.starts_with("250"));
    assert!(raw.send("RCPT TO:<d@x.test>\r\n").await.starts_with("250"));
    assert!(raw.send("DATA\r\n").await.starts_with("354"));
    assert!(raw.send("Subject: two\r\n\r\nbody\r\n.\r\n").await.starts_with("250"));
    assert!(raw.send("QUIT\r\n").await.starts_with("221"));

    let mails = sink.wait_for(2, WAIT).await.unwrap();
    assert_eq!(mails[0].from, "a@x.test");
    assert_eq!(mails[0].to, vec!["b@x.test".to_owned(), "c@x.test".to_owned()]);
    assert_eq!(mails[0].data, "Subject: one\r\n\r\n.dot stuffed\r\n.\r\n");
    assert_eq!(mails[1].from, "");
    assert_eq!(mails[1].to, vec!["d@x.test".to_owned()]);
    assert_eq!(mails[1].body(), "body\r\n");
}

#[tokio::test]
async fn concurrent_connections_are_served_at_once() {
    let sink = MailSink::start("127.0.0.1:0").unwrap();
    let mut idle = Raw::connect(&sink).await;
    idle.send("EHLO idle.test\r\n").await;

    let mailer = transport(&sink);
    let sends = (0..5).map(|i| {
        let mailer = mailer.clone();
        async move {
            mailer
                .send(message("owner@agency.test", &format!("Mail {i}"), "x"))
                .await
        }
    });
    for result in futures_join_all(sends).await {
        result.unwrap();
    }
    assert_eq!(sink.wait_for(5, WAIT).await.unwrap().len(), 5);
    assert!(idle.send("NOOP\r\n").await.starts_with("250"));
}

#[tokio::test]
async fn wait_for_times_out_with_what_arrived_and_the_sink_stops_on_drop() {
    let sink = MailSink::start("127.0.0.1:0").unwrap();
    let addr = sink.addr();
    let error = sink.wait_for(1, Duration::from_millis(50)).await.unwrap_err();
    assert!(error.to_string().contains("0 arrived"), "{error}");

    drop(sink);
    // The listener closes once the aborted accept loop has been dropped by the runtime.
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(refused, "the sink still accepts connections after drop");
}

/// Runs futures concurrently on this task (no `futures` crate needed for five sends).
async fn futures_join_all<F: std::future::Future + Send + 'static>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
