//! Command lines (`psql …`, `mysql …`, `sqlcmd …`, `mongosh …`, `sqlplus …`, `sqlite3 …`):
//! POSIX shell words via `shlex`, then each tool's own flags. Also `.env` value quoting.

use super::draft::invalid;
use super::draft::Imported;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Psql,
    Mysql,
    Sqlcmd,
    Mongosh,
    Sqlplus,
    Sqlite3,
}

pub fn tool(s: &str) -> Option<Tool> {
    let first = s.split_whitespace().next()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    Some(match name {
        "psql" => Tool::Psql,
        "mysql" | "mariadb" => Tool::Mysql,
        "sqlcmd" => Tool::Sqlcmd,
        "mongosh" | "mongo" => Tool::Mongosh,
        "sqlplus" => Tool::Sqlplus,
        "sqlite3" => Tool::Sqlite3,
        _ => return None,
    })
    .filter(|_| s.len() > first.len())
}

pub fn import(tool: Tool, s: &str) -> Result<Imported> {
    // A trailing backslash-newline continues the line, as in a pasted shell snippet.
    let joined = s.replace("\\\n", " ");
    let words = shlex::split(&joined).ok_or_else(|| {
        invalid(
            "The command's quoting is not closed.",
            "Paste the whole command; close every ' and \".",
        )
    })?;
    // `#/psql …`: the shell reads a comment, no words at all.
    let Some((_, args)) = words.split_first() else {
        return Err(invalid(
            "The command has no words (a # starts a shell comment).",
            "Paste the command itself, e.g. psql -h host -d db.",
        ));
    };
    match tool {
        Tool::Psql => super::postgres::import_psql(args),
        Tool::Mysql => super::mysql::import_cli(args),
        Tool::Sqlcmd => super::sqlserver::import_sqlcmd(args),
        Tool::Mongosh => super::mongodb::import_mongosh(args),
        Tool::Sqlplus => super::oracle::import_sqlplus(args),
        Tool::Sqlite3 => super::sqlite::import_sqlite3(args),
    }
}

/// One shell word: bare when safe, else single-quoted.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

pub fn join(args: &[String]) -> String {
    args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

/// A `.env` value: bare when safe, else double-quoted with \" and \\ escaped.
pub fn quote_env(s: &str) -> String {
    if s.chars()
        .all(|c| !c.is_whitespace() && !"\"'#$`\\".contains(c))
    {
        s.to_owned()
    } else {
        let mut q = String::from("\"");
        for c in s.chars() {
            match c {
                '"' | '\\' | '$' | '`' => {
                    q.push('\\');
                    q.push(c);
                }
                '\n' => q.push_str("\\n"),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    }
}

/// The value half of a `.env` line: "double" (with \ escapes), 'single' (literal), or bare
/// up to a ` #` comment. `${VAR}` is left as written: nothing is taken from the environment.
pub fn unquote_env(v: &str) -> String {
    let v = v.trim();
    if let Some(body) = v.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return out,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                },
                c => out.push(c),
            }
        }
        out
    } else if let Some(body) = v.strip_prefix('\'') {
        body.split('\'').next().unwrap_or("").to_owned()
    } else {
        match v.find(" #") {
            Some(i) => v[..i].trim_end().to_owned(),
            None => v.to_owned(),
        }
    }
}
