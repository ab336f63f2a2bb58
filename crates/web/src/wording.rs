//! A guard on the words users read: no server setting names in the SPA's text. People who
//! run the server find those in the README and `/api/health`; people using the app get plain words.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// The settings' prefix, spelled so that this file does not contain it.
    const SETTING: &str = concat!("AOS", "_");

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "html") && !path.ends_with("wording.rs") {
                out.push(path);
            }
        }
    }

    /// Every line outside comments that names a setting, as `file:line`.
    fn settings_named_in_text(root: &Path) -> Vec<String> {
        let mut files = Vec::new();
        sources(root, &mut files);
        let mut found = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if code.contains(SETTING) {
                    found.push(format!("{}:{}", file.display(), n + 1));
                }
            }
        }
        found
    }

    #[test]
    fn no_server_setting_name_reaches_users() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = settings_named_in_text(&root.join("src"));
        found.extend(
            settings_named_in_text(root)
                .into_iter()
                .filter(|f| f.contains("index.html")),
        );
        assert!(found.is_empty(), "setting names in user-facing text: {found:?}");
    }

    #[test]
    fn the_guard_finds_a_setting_name() {
        let dir = std::env::temp_dir().join(format!("aos-wording-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("page.rs"),
            format!("// {SETTING}IN_A_COMMENT is fine\nlet t = \"set {SETTING}GOOGLE_CLIENT_ID\";\n"),
        )
        .unwrap();
        let found = settings_named_in_text(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].ends_with("page.rs:2"));
    }
}
