//! Folders: where a connection sits in the list's tree, as a path of names
//! (`Payments/EU/prod`); the empty path is the top level. A folder exists while a
//! connection is in it or below it, or while the store keeps it (made empty, collapsed).

use crate::error::{ErrorCode, FieldIssue};

/// How deep folders nest.
pub const DEPTH_MAX: usize = 8;
/// How long one folder's name may be, in characters.
pub const NAME_MAX: usize = 60;

/// The path as stored: each name trimmed, empty names (`a//b`, a leading or trailing `/`)
/// dropped, joined by `/`.
pub fn normalize(path: &str) -> String {
    segments(path).collect::<Vec<_>>().join("/")
}

/// The folder names of `path`, outermost first.
pub fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').map(str::trim).filter(|s| !s.is_empty())
}

/// Whether `path` is `folder` or inside it (the top level, `""`, holds everything).
pub fn within(path: &str, folder: &str) -> bool {
    folder.is_empty()
        || path == folder
        || (path.len() > folder.len()
            && path.starts_with(folder)
            && path.as_bytes()[folder.len()] == b'/')
}

/// The folder holding `path` (`""` for a folder at the top level).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The last name of `path`.
pub fn leaf(path: &str) -> &str {
    path.rfind('/').map_or(path, |i| &path[i + 1..])
}

/// `path` after the folder `from` became `to` (its contents follow); `None` when `path`
/// is not within `from`.
pub fn moved(path: &str, from: &str, to: &str) -> Option<String> {
    if from.is_empty() || !within(path, from) {
        return None;
    }
    let rest = &path[from.len()..];
    Some(normalize(&format!("{to}{rest}")))
}

/// What is wrong with a (normalised) path, on the field `folder`.
pub fn issues(path: &str) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    let names: Vec<&str> = segments(path).collect();
    if names.len() > DEPTH_MAX {
        out.push(FieldIssue::new(
            ErrorCode::FolderInvalid,
            "folder",
            format!(
                "The folder is {} levels deep; at most {DEPTH_MAX} are allowed.",
                names.len()
            ),
            "Move the connection to a folder nearer the top.",
        ));
    }
    if let Some(long) = names.iter().find(|n| n.chars().count() > NAME_MAX) {
        out.push(FieldIssue::new(
            ErrorCode::FolderInvalid,
            "folder",
            format!(
                "The folder name “{}…” is longer than {NAME_MAX} characters.",
                long.chars().take(20).collect::<String>()
            ),
            "Give the folder a shorter name.",
        ));
    }
    if path.chars().any(char::is_control) {
        out.push(FieldIssue::new(
            ErrorCode::FolderInvalid,
            "folder",
            "The folder has a control character (a tab or line break, say) in its name.",
            "Type the folder's names separated by /, e.g. Payments/EU/prod.",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_folder_takes_its_contents_and_nothing_that_only_shares_a_prefix() {
        assert_eq!(
            moved("Pay/EU/prod", "Pay", "Billing").as_deref(),
            Some("Billing/EU/prod")
        );
        assert_eq!(moved("Pay", "Pay", "A/B").as_deref(), Some("A/B"));
        assert_eq!(moved("Payroll/x", "Pay", "B"), None);
        assert_eq!(moved("Pay/EU", "Pay", "").as_deref(), Some("EU"));
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
        assert_eq!(leaf("a/b/c"), "c");
    }

    #[test]
    fn a_path_is_trimmed_name_by_name_and_empty_names_are_dropped() {
        assert_eq!(normalize(" Payments / EU /prod/ "), "Payments/EU/prod");
        assert_eq!(normalize("/a//b/"), "a/b");
        assert_eq!(normalize("  "), "");
        assert_eq!(normalize("Склад / 2026"), "Склад/2026");
    }

    #[test]
    fn within_matches_the_folder_and_its_subfolders_only() {
        assert!(within("Payments/EU", "Payments"));
        assert!(within("Payments", "Payments"));
        assert!(!within("Payments-old", "Payments"));
        assert!(!within("Pay", "Payments"));
        assert!(within("anything", ""));
    }

    #[test]
    fn too_deep_too_long_or_with_control_characters_is_folder_invalid() {
        assert!(issues("a/b/c/d/e/f/g/h").is_empty());
        let deep = issues("a/b/c/d/e/f/g/h/i");
        assert_eq!(deep[0].code, ErrorCode::FolderInvalid);
        assert!(deep[0].message.contains("9 levels"), "{}", deep[0].message);
        assert_eq!(issues(&"x".repeat(61))[0].code, ErrorCode::FolderInvalid);
        assert_eq!(issues("a\tb")[0].field, "folder");
    }
}
