//! What a thread search matches, per backend: Postgres words (walked or checked on `search_tsv`) or
//! `websearch_to_tsquery` syntax, SQLite FTS5 prefix terms.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ThreadFilter;
use crate::store::{Db, Store, StoreResult};

/// FTS5 query for SQLite: every word of `q` as a quoted prefix term (`"word"*`), all required. `None` when
/// `q` has no word.
pub fn fts5_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A search, read from the filter before the query is built.
pub(super) enum Search {
    None,
    /// Postgres, plain words: every one must be in the thread. They are the lexemes Postgres's own
    /// parser makes of the query (`to_tsvector('simple', q)`), so they are spelled as the index spells
    /// them, rarest first (by how many threads hold them, judged by its newest [`WORD_SAMPLE`]). A list walks
    /// the rarest one's rows in `communication_thread_word` and checks the others on `search_tsv`.
    Words {
        words: Vec<String>,
        /// Walk the first word's rows. Not when the first word is common and the others rare, but not
        /// rare enough to walk (a page would read thousands of rows): the GIN index intersects them.
        walk: bool,
    },
    /// Postgres, a query with phrase, `or` or `-word` syntax: `websearch_to_tsquery` on `search_tsv`.
    Syntax(String),
    /// SQLite: an FTS5 query of prefix terms ([`fts5_query`]).
    Fts(String),
}

/// Whether a Postgres search needs `websearch_to_tsquery`: a quoted phrase, `or`, or an excluded word.
fn has_search_syntax(q: &str) -> bool {
    q.contains('"')
        || q.split_whitespace()
            .any(|w| w.eq_ignore_ascii_case("or") || w.starts_with('-'))
}

/// `words` as a `tsquery` literal that requires all of them (`'a' & 'b'`), for a `::tsquery` cast (no
/// normalization: they are lexemes already).
pub(super) fn tsquery_literal(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// How many of a word's newest threads are read to tell how common it is.
const WORD_SAMPLE: i64 = 100;

/// A word of a search: the word, how many of its newest threads were read (up to [`WORD_SAMPLE`]), the
/// oldest of them's time, and the newest and oldest time of the agency's newest [`WORD_SAMPLE`] threads.
type WordSample = (
    String,
    i64,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// A search walks its most common word only when each other word is in at least this share of threads
/// (a page then reads at most about 250 rows).
const WALK_SHARE_MIN: f64 = 0.1;

/// The words of `q` when it is plain ASCII words and numbers, as `to_tsvector('simple', q)` makes them
/// (lowercased, each once); `None` when the database's parser must split it (an address, a hyphen, a
/// non-ASCII letter).
fn plain_words(q: &str) -> Option<Vec<String>> {
    let mut words = q
        .split_whitespace()
        .map(|w| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric())
                .then(|| w.to_ascii_lowercase())
        })
        .collect::<Option<Vec<String>>>()?;
    words.sort();
    words.dedup();
    Some(words)
}

impl Store {
    /// What `f` searches for, in the form this backend matches it. On Postgres, plain words are split by
    /// the database's parser, so they are the words the index holds, and counted in one short query.
    pub(super) async fn search_of(&self, agency_id: Uuid, f: &ThreadFilter) -> StoreResult<Search> {
        let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(Search::None);
        };
        Ok(match &self.db {
            Db::Sqlite(_) => Search::Fts(fts5_query(q).unwrap_or_else(|| "\"\"".into())),
            Db::Postgres(_) if has_search_syntax(q) => Search::Syntax(q.to_owned()),
            Db::Postgres(_) if plain_words(q).is_some_and(|w| w.len() == 1) => Search::Words {
                words: plain_words(q).unwrap_or_default(),
                walk: true,
            },
            Db::Postgres(pool) => {
                // Per word, its newest threads (up to WORD_SAMPLE): how many, and the oldest one's time;
                // and the time span of the agency's newest WORD_SAMPLE threads. A list walking a word reads
                // about a page divided by the share of threads holding the other words; that share is the
                // ratio of the two time spans.
                let mut words: Vec<WordSample> = sqlx::query_as(&format!(
                    "select w.word, s.n, s.oldest, a.newest, a.oldest from \
                         unnest(tsvector_to_array(to_tsvector('simple', $2))) as w(word) \
                         cross join lateral (select count(*) as n, min(y.last_at) as oldest from \
                         (select x.last_at from communication_thread_word x where x.agency_id = $1 \
                         and x.word = w.word order by x.last_at desc limit {WORD_SAMPLE}) y) s \
                         cross join (select max(z.last_at) as newest, min(z.last_at) as oldest from \
                         (select t.last_at from communication_thread t where t.agency_id = $1 \
                         order by t.last_at desc limit {WORD_SAMPLE}) z) a"
                ))
                .bind(agency_id)
                .bind(q)
                .fetch_all(pool)
                .await?;
                words.sort_by(|a, b| {
                    (a.1 >= WORD_SAMPLE, a.1, a.2)
                        .cmp(&(b.1 >= WORD_SAMPLE, b.1, b.2))
                        .then_with(|| a.0.cmp(&b.0))
                });
                // The share of recent threads holding a word seen in WORD_SAMPLE of them.
                let share = |w: &WordSample| {
                    let (Some(oldest), Some(newest), Some(all_oldest)) = (w.2, w.3, w.4) else {
                        return 1.0;
                    };
                    let span = (newest - oldest).num_milliseconds().max(1) as f64;
                    ((newest - all_oldest).num_milliseconds().max(1) as f64 / span).min(1.0)
                };
                let walk = match words.as_slice() {
                    [first, second, ..] => first.1 < WORD_SAMPLE || share(second) >= WALK_SHARE_MIN,
                    _ => true,
                };
                if words.first().is_some_and(|w| w.1 == 0) {
                    // A word no thread holds: nothing matches.
                    Search::Words {
                        words: Vec::new(),
                        walk,
                    }
                } else {
                    Search::Words {
                        words: words.into_iter().map(|w| w.0).collect(),
                        walk,
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_are_lowercased_ascii_words_or_none() {
        assert_eq!(
            plain_words("W17  budget w17"),
            Some(vec!["budget".into(), "w17".into()])
        );
        assert_eq!(plain_words("dana@acme.test"), None);
        assert_eq!(plain_words("café"), None);
        assert_eq!(plain_words("re-brand"), None);
    }

    #[test]
    fn fts5_queries_are_quoted_prefix_terms() {
        assert_eq!(fts5_query("Dana acme").as_deref(), Some("\"Dana\"* \"acme\"*"));
        assert_eq!(
            fts5_query("\"x\" OR NEAR(y").as_deref(),
            Some("\"x\"* \"OR\"* \"NEAR\"* \"y\"*")
        );
        assert_eq!(fts5_query(" *\"() ").as_deref(), None);
    }
}
