//! The client CSV file without I/O: the export's formatting, and the import's reading, header mapping and
//! row checks.
//!
//! Export: columns `CSV_COLUMNS`; cells starting with `=`, `+`, `-`, `@`, tab or carriage return get a
//! leading `'` so spreadsheets do not run them as formulas.
//!
//! Import: `name` is required in the header, the other columns are optional. Each row is checked with the
//! rules of create (plus: `stage` names a stage, `owner_email` an active member, dates are `YYYY-MM-DD`,
//! amounts like `1250.00`, `labels` are separated by `;`). Of an updated client, a column absent from the
//! header is left alone, an empty cell clears the field (an empty `stage` keeps the stage) and `labels`
//! replaces its labels. A `'` the export put before a formula character is removed. Bad rows are reported
//! with their line and column; a contact email already used by an earlier row of the file is one.

use std::collections::HashMap;

use audienceos_shared::clients::{CreateClientRequest, ImportReport, ImportRowError, CSV_COLUMNS, LABEL_COLORS};
use audienceos_shared::problem::field_errors;
use audienceos_shared::validation::{is_forbidden_char, FORBIDDEN_CHAR_MESSAGE};
use audienceos_shared::Money;
use chrono::NaiveDate;
use uuid::Uuid;
use validator::Validate as _;

use crate::domain::clients::normalise_create;
use crate::store::clients::email_key;

/// The colour of labels an import creates.
pub const IMPORTED_LABEL_COLOR: &str = LABEL_COLORS[8];

/// A cell as a spreadsheet should show it: text that would start a formula gets a leading `'`.
pub fn csv_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// The inverse of `csv_cell` for imports.
fn uncell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => value,
    }
}

/// One client as the export writes it.
#[derive(Debug, Clone, Default)]
pub struct ExportRow {
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub stage: String,
    pub owner_email: Option<String>,
    /// Label names, in the order the file lists them.
    pub labels: Vec<String>,
    pub due_date: Option<NaiveDate>,
    pub install_date: Option<NaiveDate>,
    pub total_spend_cents: i64,
    pub lifetime_value_cents: i64,
}

/// The export file: the header row `CSV_COLUMNS`, then one row per client.
pub fn write_csv(rows: impl IntoIterator<Item = ExportRow>) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| anyhow::Error::new(e).context("writing the CSV export");
    w.write_record(CSV_COLUMNS).map_err(fail)?;
    for r in rows {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let record = [
            r.name,
            opt(r.contact_name),
            opt(r.contact_email),
            opt(r.website),
            r.stage,
            opt(r.owner_email),
            r.labels.join("; "),
            date(r.due_date),
            date(r.install_date),
            Money::from_cents(r.total_spend_cents).to_string(),
            Money::from_cents(r.lifetime_value_cents).to_string(),
        ];
        w.write_record(record.iter().map(|v| csv_cell(v))).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("finishing the CSV export: {e}"))
}

/// The name the export file is offered under.
pub fn export_filename(today: NaiveDate) -> String {
    format!("clients-{today}.csv")
}

/// Why a file cannot be imported at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileError {
    NotUtf8,
    NotCsv,
    NoNameColumn,
}

impl FileError {
    /// The field, code and message it is reported with.
    pub fn field_error(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::NotUtf8 => ("file", "encoding", "must be UTF-8 text"),
            Self::NotCsv => ("file", "csv", "is not a CSV file with a header row"),
            Self::NoNameColumn => ("name", "missing_column", "the header row has no `name` column"),
        }
    }
}

/// Where each column is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cols {
    name: usize,
    contact_name: Option<usize>,
    contact_email: Option<usize>,
    website: Option<usize>,
    stage: Option<usize>,
    owner_email: Option<usize>,
    labels: Option<usize>,
    due_date: Option<usize>,
    install_date: Option<usize>,
    total_spend: Option<usize>,
    lifetime_value: Option<usize>,
}

/// The cells of one row as text (empty when the column is absent or the row short).
#[derive(Debug, Clone, Default)]
struct RowInput {
    line: u32,
    name: String,
    contact_name: String,
    contact_email: String,
    website: String,
    stage: String,
    owner_email: String,
    labels: String,
    due_date: String,
    install_date: String,
    total_spend: String,
    lifetime_value: String,
}

impl RowInput {
    /// The first cell holding a control character such as NUL (refused everywhere the API takes text).
    fn field_with_control_character(&self) -> Option<&'static str> {
        [
            ("name", &self.name),
            ("contact_name", &self.contact_name),
            ("contact_email", &self.contact_email),
            ("website", &self.website),
            ("stage", &self.stage),
            ("owner_email", &self.owner_email),
            ("labels", &self.labels),
            ("due_date", &self.due_date),
            ("install_date", &self.install_date),
            ("total_spend", &self.total_spend),
            ("lifetime_value", &self.lifetime_value),
        ]
        .into_iter()
        .find(|(_, cell)| cell.chars().any(is_forbidden_char))
        .map(|(field, _)| field)
    }
}

/// An import file read into its header and rows, not yet checked.
#[derive(Debug)]
pub struct CsvFile {
    cols: Cols,
    /// Each row's cells, or the line of a row that is not valid CSV.
    rows: Vec<Result<RowInput, u32>>,
}

/// Read an import file: UTF-8 (a byte order mark is skipped), a header row naming the columns (any case,
/// any order; `name` is required, unknown columns are ignored), then the rows. Cells are trimmed.
pub fn read(bytes: &[u8]) -> Result<CsvFile, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| FileError::NotCsv)?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let cols = Cols {
        name: col("name").ok_or(FileError::NoNameColumn)?,
        contact_name: col("contact_name"),
        contact_email: col("contact_email"),
        website: col("website"),
        stage: col("stage"),
        owner_email: col("owner_email"),
        labels: col("labels"),
        due_date: col("due_date"),
        install_date: col("install_date"),
        total_spend: col("total_spend"),
        lifetime_value: col("lifetime_value"),
    };
    let rows = reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| e.position().map_or(0, |p| p.line() as u32))?;
            let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(uncell).unwrap_or("").to_string();
            Ok(RowInput {
                line: record.position().map_or(0, |p| p.line() as u32),
                name: cell(Some(cols.name)),
                contact_name: cell(cols.contact_name),
                contact_email: cell(cols.contact_email),
                website: cell(cols.website),
                stage: cell(cols.stage),
                owner_email: cell(cols.owner_email),
                labels: cell(cols.labels),
                due_date: cell(cols.due_date),
                install_date: cell(cols.install_date),
                total_spend: cell(cols.total_spend),
                lifetime_value: cell(cols.lifetime_value),
            })
        })
        .collect();
    Ok(CsvFile { cols, rows })
}

impl CsvFile {
    /// How many rows the file has after its header (valid or not).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }
}

/// What rows are resolved against: the agency's stages and active members, by lower-cased name and email.
#[derive(Debug, Clone)]
pub struct Lookups {
    first_stage: Uuid,
    stages: HashMap<String, Uuid>,
    members: HashMap<String, Uuid>,
}

impl Lookups {
    /// From the stages `(name, id)` in pipeline order (a row without a stage goes to the first); `None`
    /// when there is none.
    pub fn new(stages: impl IntoIterator<Item = (String, Uuid)>) -> Option<Self> {
        let stages: Vec<(String, Uuid)> = stages.into_iter().collect();
        let first_stage = stages.first()?.1;
        Some(Self {
            first_stage,
            stages: stages.into_iter().map(|(name, id)| (name.to_lowercase(), id)).collect(),
            members: HashMap::new(),
        })
    }

    /// The active members `(email, id)` an `owner_email` may name.
    pub fn with_members(mut self, members: impl IntoIterator<Item = (String, Uuid)>) -> Self {
        self.members = members
            .into_iter()
            .map(|(email, id)| (email.to_lowercase(), id))
            .collect();
        self
    }
}

/// Which fields of a client it updates a row sets: a column absent from the header leaves the field alone,
/// and so does an empty `stage` cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sets {
    pub contact_name: bool,
    pub website: bool,
    pub stage: bool,
    pub owner: bool,
    pub labels: bool,
    pub due_date: bool,
    pub install_date: bool,
    pub total_spend: bool,
    pub lifetime_value: bool,
}

/// One good row, checked with the rules of create, normalised and resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRow {
    /// Its line in the file (the header is line 1).
    pub line: u32,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub website: Option<String>,
    pub stage_id: Uuid,
    pub owner_id: Option<Uuid>,
    /// Label names to attach (trimmed, none empty).
    pub label_names: Vec<String>,
    pub due_date: Option<NaiveDate>,
    pub install_date: Option<NaiveDate>,
    pub total_spend_cents: i64,
    pub lifetime_value_cents: i64,
    pub sets: Sets,
}

/// The rows of a file after the checks: the good ones, and an error per column at fault of the others.
#[derive(Debug, Default)]
pub struct Checked {
    pub rows: Vec<CheckedRow>,
    pub errors: Vec<ImportRowError>,
}

/// Check every row of the file. A row whose contact email (any case) an earlier good row has is refused.
pub fn check(file: CsvFile, lookups: &Lookups) -> Checked {
    let mut out = Checked::default();
    let mut seen_emails: HashMap<String, u32> = HashMap::new();
    for row in file.rows {
        let row = match row {
            Ok(r) => r,
            Err(line) => {
                out.errors.push(row_error(line, None, "is not a valid CSV row"));
                continue;
            }
        };
        let line = row.line;
        if let Some(field) = row.field_with_control_character() {
            out.errors.push(row_error(line, Some(field), FORBIDDEN_CHAR_MESSAGE));
            continue;
        }
        match check_row(row, &file.cols, lookups) {
            Ok(r) => {
                if let Some(e) = email_key(r.contact_email.as_deref()) {
                    if let Some(first) = seen_emails.get(&e) {
                        out.errors.push(row_error(
                            line,
                            Some("contact_email"),
                            &format!("appears earlier in the file (line {first})"),
                        ));
                        continue;
                    }
                    seen_emails.insert(e, line);
                }
                out.rows.push(r);
            }
            Err(mut errs) => out.errors.append(&mut errs),
        }
    }
    out
}

/// The import's report: the errors of the checks and the rows refused while writing `(line, field,
/// message)`, by line.
pub fn report(
    created: u32,
    updated: u32,
    mut errors: Vec<ImportRowError>,
    refused: impl IntoIterator<Item = (u32, &'static str, String)>,
) -> ImportReport {
    for (line, field, message) in refused {
        errors.push(row_error(line, Some(field), &message));
    }
    errors.sort_by_key(|e| e.line);
    ImportReport {
        created,
        updated,
        errors,
    }
}

/// Data rows at or before file line `to_line`, good (`good`, by `line_of`) or refused by the checks (a row
/// with several errors counted once): an import job's progress after the batch ending at `to_line`.
pub fn rows_through<T>(good: &[T], errors: &[ImportRowError], line_of: impl Fn(&T) -> u32, to_line: u32) -> u32 {
    let good = good.iter().filter(|r| line_of(r) <= to_line).count();
    let bad: std::collections::BTreeSet<u32> = errors.iter().map(|e| e.line).filter(|l| *l <= to_line).collect();
    (good + bad.len()) as u32
}

/// The report's entry for a good row that was not written.
pub fn not_imported(line: u32, message: &str) -> ImportRowError {
    row_error(line, None, message)
}

fn row_error(line: u32, field: Option<&str>, message: &str) -> ImportRowError {
    ImportRowError {
        line,
        field: field.map(str::to_string),
        message: message.to_string(),
    }
}

fn some(v: String) -> Option<String> {
    Some(v).filter(|s| !s.is_empty())
}

/// One row checked with the rules of create, resolved to ids; or its errors, one per column at fault.
fn check_row(r: RowInput, cols: &Cols, lookups: &Lookups) -> Result<CheckedRow, Vec<ImportRowError>> {
    let line = r.line;
    let mut errors = Vec::new();
    let mut create = CreateClientRequest {
        name: r.name,
        contact_name: some(r.contact_name),
        contact_email: some(r.contact_email),
        website: some(r.website),
        ..Default::default()
    };
    normalise_create(&mut create);
    if let Err(e) = create.validate() {
        for f in field_errors(&e) {
            errors.push(row_error(line, Some(&f.field), &f.message));
        }
    }
    let stage_given = !r.stage.is_empty();
    let stage_id = match some(r.stage) {
        None => lookups.first_stage,
        Some(s) => match lookups.stages.get(&s.to_lowercase()) {
            Some(id) => *id,
            None => {
                errors.push(row_error(
                    line,
                    Some("stage"),
                    &format!("\"{s}\" is not a stage of this agency"),
                ));
                lookups.first_stage
            }
        },
    };
    let owner_id = match some(r.owner_email) {
        None => None,
        Some(e) => match lookups.members.get(&e.to_lowercase()) {
            Some(id) => Some(*id),
            None => {
                errors.push(row_error(
                    line,
                    Some("owner_email"),
                    "is not an active member of this agency",
                ));
                None
            }
        },
    };
    let label_names: Vec<String> = r
        .labels
        .split(';')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if label_names.iter().any(|l| l.chars().count() > 40) {
        errors.push(row_error(
            line,
            Some("labels"),
            "a label name is longer than 40 characters",
        ));
    }
    let mut date = |field: &str, v: String| -> Option<NaiveDate> {
        let v = some(v)?;
        match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(row_error(line, Some(field), "must be a date like 2026-12-31"));
                None
            }
        }
    };
    let due_date = date("due_date", r.due_date);
    let install_date = date("install_date", r.install_date);
    let mut money = |field: &str, v: String| -> i64 {
        match some(v).map(|v| v.replace(',', "").parse::<Money>()) {
            None => 0,
            Some(Ok(m)) => m.cents(),
            Some(Err(e)) => {
                errors.push(row_error(line, Some(field), &e.to_string()));
                0
            }
        }
    };
    let total_spend_cents = money("total_spend", r.total_spend);
    let lifetime_value_cents = money("lifetime_value", r.lifetime_value);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedRow {
        line,
        name: create.name,
        contact_name: create.contact_name,
        contact_email: create.contact_email,
        website: create.website,
        stage_id,
        owner_id,
        label_names,
        due_date,
        install_date,
        total_spend_cents,
        lifetime_value_cents,
        sets: Sets {
            contact_name: cols.contact_name.is_some(),
            website: cols.website.is_some(),
            stage: stage_given,
            owner: cols.owner_email.is_some(),
            labels: cols.labels.is_some(),
            due_date: cols.due_date.is_some(),
            install_date: cols.install_date.is_some(),
            total_spend: cols.total_spend.is_some(),
            lifetime_value: cols.lifetime_value.is_some(),
        },
    })
}

#[cfg(test)]
mod tests;
