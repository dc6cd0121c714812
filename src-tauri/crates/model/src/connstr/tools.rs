//! Other tools whose files hold connections: one list, which the batch source, each row's
//! kind, `--from`, discovery and the `imported_from` mark all name.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A tool whose connection list Switchboard reads (or, for TablePlus, names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Tool {
    Dbeaver,
    Pgadmin,
    Ads,
    VscodeMssql,
    Compass,
    Workbench,
    Datagrip,
    Ssms,
    Beekeeper,
    Dbgate,
    Heidisql,
    SequelAce,
    /// Found and named, never read (core's `sources/foreign.rs` says why).
    Tableplus,
}

impl Tool {
    /// The tool a user names (`--from`), in any of its usual spellings.
    pub fn parse(s: &str) -> Option<Tool> {
        Some(match s.to_ascii_lowercase().as_str() {
            "dbeaver" => Tool::Dbeaver,
            "pgadmin" | "pgadmin4" => Tool::Pgadmin,
            "ads" | "azure-data-studio" | "azuredatastudio" => Tool::Ads,
            "vscode-mssql" | "vscode" => Tool::VscodeMssql,
            "compass" | "mongodb-compass" => Tool::Compass,
            "workbench" | "mysql-workbench" => Tool::Workbench,
            "datagrip" | "intellij" => Tool::Datagrip,
            "ssms" => Tool::Ssms,
            "beekeeper" | "beekeeper-studio" => Tool::Beekeeper,
            "dbgate" => Tool::Dbgate,
            "heidisql" => Tool::Heidisql,
            "sequel-ace" | "sequelace" => Tool::SequelAce,
            "tableplus" => Tool::Tableplus,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Tool::Dbeaver => "DBeaver",
            Tool::Pgadmin => "pgAdmin",
            Tool::Ads => "Azure Data Studio",
            Tool::VscodeMssql => "VS Code mssql",
            Tool::Compass => "MongoDB Compass",
            Tool::Workbench => "MySQL Workbench",
            Tool::Datagrip => "DataGrip",
            Tool::Ssms => "SSMS",
            Tool::Beekeeper => "Beekeeper Studio",
            Tool::Dbgate => "DbGate",
            Tool::Heidisql => "HeidiSQL",
            Tool::SequelAce => "Sequel Ace",
            Tool::Tableplus => "TablePlus",
        }
    }

    /// The tool's file, in words (`DBeaver's data-sources.json`).
    pub fn file_words(self) -> &'static str {
        match self {
            Tool::Dbeaver => "DBeaver's data-sources.json",
            Tool::Pgadmin => "pgAdmin's servers.json",
            Tool::Ads => "Azure Data Studio's settings",
            Tool::VscodeMssql => "VS Code's settings with mssql connections",
            Tool::Compass => "a MongoDB Compass export",
            Tool::Workbench => "MySQL Workbench's connections.xml",
            Tool::Datagrip => "a DataGrip project's dataSources.xml",
            Tool::Ssms => "SSMS's registered servers",
            Tool::Beekeeper => "Beekeeper Studio's app.db",
            Tool::Dbgate => "DbGate's connections.jsonl",
            Tool::Heidisql => "HeidiSQL's settings",
            Tool::SequelAce => "Sequel Ace's favorites",
            Tool::Tableplus => "TablePlus's connections",
        }
    }

    /// The prefix of the `imported_from` mark (`dbeaver:<id>`): stored, so never renamed.
    pub fn source_id(self) -> &'static str {
        match self {
            Tool::Dbeaver => "dbeaver",
            Tool::Pgadmin => "pgadmin",
            Tool::Ads => "ads",
            Tool::VscodeMssql => "vscode-mssql",
            Tool::Compass => "compass",
            Tool::Workbench => "workbench",
            Tool::Datagrip => "datagrip",
            Tool::Ssms => "ssms",
            Tool::Beekeeper => "beekeeper",
            Tool::Dbgate => "dbgate",
            Tool::Heidisql => "heidisql",
            Tool::SequelAce => "sequel-ace",
            Tool::Tableplus => "tableplus",
        }
    }
}
