//! `switchboard import`: one string, a service's JSON body, a file of many (other tools'
//! files among them: their preview as text, `--from`, consent and passphrase) or the
//! list of what other tools keep in their default places (`--discover`).

use switchboard_core::imports::Batch;
use switchboard_core::{CoreError, Switchboard};

use crate::args::ImportArgs;
use crate::{
    argument_carries_secret, read_secret, read_stdin_text, summary, to_json,
    warn_secret_in_argument, Outcome,
};

/// `switchboard import`: one string (recognised, or a named service's JSON body) or a
/// file of them.
pub(crate) async fn import(sb: &Switchboard, a: ImportArgs) -> Result<Outcome, CoreError> {
    if a.discover {
        let found = switchboard_core::sources::discover().await;
        let text = if found.is_empty() {
            "no other tool's connections were found in their default places".to_owned()
        } else {
            found
                .iter()
                .map(|f| match &f.note {
                    Some(note) => format!("{} ({}): not read\n  {note}", f.summary, f.path),
                    None => format!("{}\n  switchboard import --file '{}'", f.summary, f.path),
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        return Ok(Outcome::Done(to_json(&found)?, text));
    }
    if let Some(path) = &a.file {
        let opts = switchboard_core::imports::ImportOptions {
            include_passwords: a.include_passwords,
            from: a.from,
            passphrase: a
                .passphrase_stdin
                .then(|| read_secret("passphrase", "passphrase", "--passphrase-stdin"))
                .transpose()?,
            on_clash: a.on_clash,
        };
        return import_file(sb, path, a.save, &a.rows, &opts).await;
    }
    let input = match a.input {
        Some(input) => {
            if argument_carries_secret(&input, a.format) {
                warn_secret_in_argument(
                    "pipe the string in instead: switchboard import --stdin < conn.txt",
                );
            }
            zeroize::Zeroizing::new(input)
        }
        None => read_stdin_text()?,
    };
    if let (Some(format), false) = (a.format, a.save) {
        let checked = sb.check_payload(format, &input).await?;
        for w in &checked.warnings {
            eprintln!("warning: {w}");
        }
        let text = format!(
            "valid: {} (not saved; add --save)",
            checked.fields.target_summary()
        );
        return Ok(Outcome::Done(to_json(&checked)?, text));
    }
    if a.save {
        let (c, warnings) = match a.format {
            Some(format) => sb.import_payload(format, &input).await?,
            None => sb.import_one(&input).await?,
        };
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        let value = serde_json::json!({ "connection": c, "warnings": warnings });
        return Ok(Outcome::Done(value, format!("saved {}", summary(&c))));
    }
    let draft = sb.parse_draft(&input).await?;
    let mut lines = vec![format!(
        "{}: {} {}{}",
        draft.kind_label,
        draft.fields.engine.as_str(),
        draft.fields.target_summary(),
        if draft.has_password {
            " (password present; it goes to the keychain on --save)"
        } else {
            ""
        }
    )];
    lines.extend(draft.warnings.iter().map(|w| format!("  warning: {w}")));
    lines.extend(draft.issues.iter().map(|i| {
        format!(
            "  {} {}: {} {}",
            if i.is_error() { "error" } else { "warning" },
            i.field,
            i.message,
            i.hint
        )
    }));
    let invalid = draft.issues.iter().any(|i| i.is_error());
    if !invalid {
        lines.push("valid (not saved; add --save)".into());
    }
    let value = to_json(&draft)?;
    Ok(if invalid {
        Outcome::Invalid(value, lines.join("\n"))
    } else {
        Outcome::Done(value, lines.join("\n"))
    })
}

async fn import_file(
    sb: &Switchboard,
    path: &std::path::Path,
    save: bool,
    rows: &[u32],
    opts: &switchboard_core::imports::ImportOptions,
) -> Result<Outcome, CoreError> {
    use switchboard_core::imports::RowStatus;
    if save {
        // --rows counts from 1; without it, every row that is ready is saved.
        let chosen: Option<Vec<u32>> =
            (!rows.is_empty()).then(|| rows.iter().map(|r| r - 1).collect());
        let result = sb
            .import_batch_with(Batch::File(path), chosen.as_deref(), opts)
            .await?;
        let mut text = result
            .created
            .iter()
            .map(|c| format!("saved {}", summary(c)))
            .chain(
                result
                    .updated
                    .iter()
                    .map(|c| format!("updated {}", summary(c))),
            )
            .collect::<Vec<_>>();
        text.extend(
            result
                .passwords_set
                .iter()
                .map(|n| format!("password set for {n}")),
        );
        return Ok(Outcome::Done(to_json(&result)?, text.join("\n")));
    }
    let preview = sb.preview_batch_with(Batch::File(path), opts).await?;
    let mut lines = Vec::new();
    for r in &preview.rows {
        let what = match (&r.fields, &r.error) {
            (_, Some(e)) => format!("{} ({})", e.message, e.code),
            (_, None) if r.status == RowStatus::Skipped => r.reason.clone().unwrap_or_default(),
            (Some(f), None) if r.status == RowStatus::Update => format!(
                "{} {} {} (updates {})",
                f.name,
                f.engine.as_str(),
                f.target_summary(),
                r.updates.as_deref().unwrap_or_default()
            ),
            (Some(f), None) => format!("{} {} {}", f.name, f.engine.as_str(), f.target_summary()),
            (None, None) if !r.matches.is_empty() => {
                format!("password for {}", r.matches.join(", "))
            }
            (None, None) => "matches no saved connection".into(),
        };
        lines.push(format!(
            "{:>3} {:<9} {:<20} {what}",
            r.index + 1,
            format!("{:?}", r.status).to_lowercase(),
            r.label
        ));
        if let Some(f) = &r.fields {
            let mut about = vec![format!("TLS {}", f.tls.mode.as_str())];
            if let Some(from) = &r.tls_from {
                about[0] = format!("TLS {} (from {from})", f.tls.mode.as_str());
            }
            if let Some(route) = &f.ssh {
                let hops = match route {
                    switchboard_core::ssh::SshRoute::Hops { hops } => hops
                        .iter()
                        .map(|h| format!("{}@{}:{}", h.user, h.host, h.port))
                        .collect::<Vec<_>>()
                        .join(" → "),
                    switchboard_core::ssh::SshRoute::Alias { alias, .. } => alias.clone(),
                };
                about.push(format!("via SSH {hops}"));
            }
            if !f.folder.is_empty() {
                about.push(format!("folder {}", f.folder));
            }
            if let Some(e) = f.environment {
                about.push(e.as_str().to_owned());
            }
            if r.has_password {
                about.push("password → keychain".into());
            }
            lines.push(format!("      {}", about.join("; ")));
        }
        for w in &r.warnings {
            lines.push(format!("      warning: {w}"));
        }
        for i in &r.issues {
            lines.push(format!("      {}: {} {}", i.field, i.message, i.hint));
        }
    }
    lines.extend(preview.notes.iter().map(|n| format!("note: {n}")));
    lines.push("nothing saved (add --save, and --rows 1,3 to choose)".into());
    let invalid = preview.rows.iter().any(|r| r.status == RowStatus::Invalid);
    let value = to_json(&preview)?;
    Ok(if invalid {
        Outcome::Invalid(value, lines.join("\n"))
    } else {
        Outcome::Done(value, lines.join("\n"))
    })
}
