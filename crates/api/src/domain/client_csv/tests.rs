//! The CSV rules, case by case.
use super::*;

const AUDIT: Uuid = Uuid::from_u128(1);
const LIVE: Uuid = Uuid::from_u128(2);
const ANA: Uuid = Uuid::from_u128(10);

fn lookups() -> Lookups {
    Lookups::new([("Audit".to_string(), AUDIT), ("Live".to_string(), LIVE)])
        .unwrap()
        .with_members([("Ana@Agency.test".to_string(), ANA)])
}

fn import(csv: &str) -> Checked {
    check(read(csv.as_bytes()).unwrap(), &lookups())
}

/// `(line, field, message)` of each error.
fn errors(c: &Checked) -> Vec<(u32, Option<&str>, &str)> {
    c.errors
        .iter()
        .map(|e| (e.line, e.field.as_deref(), e.message.as_str()))
        .collect()
}

#[test]
fn formula_cells_are_escaped_and_unescaped() {
    for v in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx"] {
        let c = csv_cell(v);
        assert!(c.starts_with('\''), "{v}");
        assert_eq!(uncell(&c), v);
    }
    assert_eq!(csv_cell("Acme"), "Acme");
    assert_eq!(uncell("'quoted"), "'quoted");
}

#[test]
fn a_good_header_maps_columns_by_name_in_any_case_and_order() {
    let c = import(
        " Website ,NAME,Owner_Email,stage,labels,due_date,install_date,total_spend,lifetime_value,\
         contact_name,contact_email,ignored\n\
         acme.com,  Acme  ,ana@agency.test,live,VIP; ; Big ,2026-05-01,2025-01-31,\"1,250.5\",$3,Jo,JO@Acme.test,x\n",
    );
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(
        c.rows,
        [CheckedRow {
            line: 2,
            name: "Acme".into(),
            contact_name: Some("Jo".into()),
            contact_email: Some("JO@Acme.test".into()),
            website: Some("https://acme.com".into()),
            stage_id: LIVE,
            owner_id: Some(ANA),
            label_names: vec!["VIP".into(), "Big".into()],
            due_date: NaiveDate::from_ymd_opt(2026, 5, 1),
            install_date: NaiveDate::from_ymd_opt(2025, 1, 31),
            total_spend_cents: 125_050,
            lifetime_value_cents: 300,
            sets: Sets {
                contact_name: true,
                website: true,
                stage: true,
                owner: true,
                labels: true,
                due_date: true,
                install_date: true,
                total_spend: true,
                lifetime_value: true,
            },
        }]
    );
}

#[test]
fn absent_columns_and_an_empty_stage_leave_fields_alone() {
    let c = import("name,stage,due_date\nAcme,,\n");
    let r = &c.rows[0];
    assert_eq!(r.stage_id, AUDIT, "no stage: the first");
    assert_eq!(r.due_date, None);
    assert_eq!(
        r.sets,
        Sets {
            due_date: true,
            ..Sets::default()
        }
    );
    assert_eq!((r.contact_name.as_deref(), r.total_spend_cents), (None, 0));
}

#[test]
fn files_without_a_name_column_or_not_utf8_are_refused() {
    assert_eq!(
        read(b"title,contact_email\nAcme,a@b.test\n").unwrap_err(),
        FileError::NoNameColumn
    );
    assert_eq!(read(b"").unwrap_err(), FileError::NoNameColumn);
    assert_eq!(read(b"name\n\xff\xfe\n").unwrap_err(), FileError::NotUtf8);
    assert_eq!(
        FileError::NoNameColumn.field_error(),
        ("name", "missing_column", "the header row has no `name` column")
    );
    assert_eq!(
        FileError::NotUtf8.field_error(),
        ("file", "encoding", "must be UTF-8 text")
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let c = import("\u{feff}Name\nAcme\n");
    assert_eq!(c.rows[0].name, "Acme");
    assert_eq!(c.rows[0].line, 2);
}

#[test]
fn bad_cells_are_reported_by_line_and_column() {
    let c = import(
        "name,contact_email,stage,due_date,install_date,total_spend,lifetime_value,owner_email,website,labels\n\
         ,,,,,,,,,\n\
         Bad Email,not-an-email,,,,,,,,\n\
         Bad Stage,,Nowhere,,,,,,,\n\
         Bad Dates,,,31/12/2026,2026-02-30,,,,,\n\
         Bad Money,,,,,12.345,-1,,,\n\
         Bad Owner,,,,,,,ghost@x.test,,\n\
         Bad Site,,,,,,,,not a site,\n\
         Long Label,,,,,,,,,ok; aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
    );
    assert!(c.rows.is_empty(), "{:?}", c.rows);
    assert_eq!(
        errors(&c),
        [
            (2, Some("name"), "is required"),
            (3, Some("contact_email"), "must be an email address"),
            (4, Some("stage"), "\"Nowhere\" is not a stage of this agency"),
            (5, Some("due_date"), "must be a date like 2026-12-31"),
            (5, Some("install_date"), "must be a date like 2026-12-31"),
            (6, Some("total_spend"), "must have at most 2 decimals"),
            (6, Some("lifetime_value"), "must not be negative"),
            (7, Some("owner_email"), "is not an active member of this agency"),
            (8, Some("website"), "must be a website such as https://acme.com"),
            (9, Some("labels"), "a label name is longer than 40 characters"),
        ]
    );
}

#[test]
fn quoted_cells_keep_commas_quotes_and_newlines_and_lines_count_from_the_header() {
    let c = import("name,labels\n\"Acme, Inc.\",\"a;b\"\n\"Two\nLines \"\"Co\"\"\",\nNext,\n");
    let names: Vec<(u32, &str)> = c.rows.iter().map(|r| (r.line, r.name.as_str())).collect();
    assert_eq!(names, [(2, "Acme, Inc."), (3, "Two\nLines \"Co\""), (5, "Next")]);
    assert_eq!(c.rows[0].label_names, ["a", "b"]);
}

#[test]
fn an_escaped_formula_is_unescaped_and_short_rows_read_as_empty() {
    let c = import("name,contact_name,website\n'=Acme,'@jo\nPlain\n");
    assert_eq!(c.rows[0].name, "=Acme");
    assert_eq!(c.rows[0].contact_name.as_deref(), Some("@jo"));
    assert_eq!(c.rows[1].website, None);
}

#[test]
fn a_contact_email_of_an_earlier_row_is_refused() {
    let c = import(
        "name,contact_email\nOne,one@x.test\nBad,nope\nTwo,ONE@x.test\nNone,\nNone again,\nThree,three@x.test\n",
    );
    let names: Vec<&str> = c.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["One", "None", "None again", "Three"]);
    assert_eq!(
        errors(&c),
        [
            (3, Some("contact_email"), "must be an email address"),
            (4, Some("contact_email"), "appears earlier in the file (line 2)"),
        ]
    );
}

#[test]
fn an_agency_without_stages_has_no_lookups() {
    assert!(Lookups::new([]).is_none());
}

#[test]
fn the_report_adds_rows_refused_while_writing_in_line_order() {
    let c = import("name,contact_email\nOne,one@x.test\n,\nTwo,one@x.test\n");
    let r = report(1, 0, c.errors, [(2, "contact_email", "taken".to_string())]);
    let lines: Vec<(u32, Option<&str>)> = r.errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
    assert_eq!(
        lines,
        [
            (2, Some("contact_email")),
            (3, Some("name")),
            (4, Some("contact_email"))
        ]
    );
    assert_eq!((r.created, r.updated), (1, 0));
}

#[test]
fn the_export_escapes_formulas_and_reads_back_the_same() {
    let row = ExportRow {
        name: "=HYPERLINK(\"x\")".into(),
        contact_name: None,
        contact_email: Some("jo@acme.test".into()),
        website: Some("https://acme.com".into()),
        stage: "Live".into(),
        owner_email: Some("ana@agency.test".into()),
        labels: vec!["Big".into(), "VIP, gold".into()],
        due_date: NaiveDate::from_ymd_opt(2026, 5, 1),
        install_date: None,
        total_spend_cents: 125_050,
        lifetime_value_cents: 0,
    };
    let body = String::from_utf8(write_csv([row]).unwrap()).unwrap();
    assert_eq!(
        body,
        "name,contact_name,contact_email,website,stage,owner_email,labels,due_date,install_date,total_spend,\
         lifetime_value\n\
         \"'=HYPERLINK(\"\"x\"\")\",,jo@acme.test,https://acme.com,Live,ana@agency.test,\"Big; VIP, gold\",\
         2026-05-01,,1250.50,0.00\n"
    );
    let c = import(&body);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let r = &c.rows[0];
    assert_eq!(r.name, "=HYPERLINK(\"x\")");
    assert_eq!((r.stage_id, r.owner_id), (LIVE, Some(ANA)));
    assert_eq!(r.label_names, ["Big", "VIP, gold"]);
    assert_eq!(
        (r.total_spend_cents, r.due_date),
        (125_050, NaiveDate::from_ymd_opt(2026, 5, 1))
    );
    assert_eq!(
        write_csv([]).unwrap(),
        format!("{}\n", CSV_COLUMNS.join(",")).into_bytes()
    );
    assert_eq!(
        export_filename(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
        "clients-2026-01-02.csv"
    );
}

#[test]
fn progress_counts_good_and_refused_rows_up_to_a_line_once_each() {
    // Line 3 has two errors (stage and date), line 5 one; lines 2, 4 and 6 are good.
    let c = import("name,stage,due_date\nA,Live,\nB,Nowhere,soon\nC,,\n,,\nE,Audit,2026-01-01\n");
    assert_eq!(c.rows.len(), 3, "{:?}", c.errors);
    let through = |line| rows_through(&c.rows, &c.errors, |r| r.line, line);
    assert_eq!(through(1), 0, "the header is not a row");
    assert_eq!(through(3), 2);
    assert_eq!(through(5), 4);
    assert_eq!(through(6), 5, "every data row once");
}
