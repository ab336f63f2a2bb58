//! Log settings: the output format and the filter.

use super::env::Env;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// The format (JSON in production unless set) and the filter (`AOS_LOG`, else `RUST_LOG`).
pub(super) fn read(env: &mut Env, prod: bool) -> (LogFormat, String) {
    let format = match env.get("AOS_LOG_FORMAT").as_deref() {
        None => {
            if prod {
                LogFormat::Json
            } else {
                LogFormat::Pretty
            }
        }
        Some("json") => LogFormat::Json,
        Some("pretty") => LogFormat::Pretty,
        Some(other) => {
            env.bad(
                "AOS_LOG_FORMAT",
                format!("unknown format `{other}`"),
                "use `json` or `pretty`",
            );
            LogFormat::Json
        }
    };
    let filter = env
        .get("AOS_LOG")
        .or_else(|| env.get("RUST_LOG"))
        .unwrap_or_else(|| "info,sqlx=warn,actix_server=warn".into());
    (format, filter)
}
