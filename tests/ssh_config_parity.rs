//! `ssh::config::resolve` against OpenSSH itself: every case writes a config, asks
//! `ssh -G -F <file> <alias>` (the oracle: the OpenSSH installed, 9.2p1 as Debian ships it)
//! and compares each field of `ResolvedHost`. When ssh refuses a config, `resolve` must
//! refuse it too, for the reason the case names (`.refuses`).
//!
//! Where `-G` alone does not say what ssh uses:
//! - `IdentityFile` is printed unexpanded (ssh expands it when it loads the keys), so the
//!   expanded list comes from `ssh -v -o ProxyCommand=true`, which logs `identity file
//!   <path>` for each before its handshake with `true` fails. The command-line ProxyCommand
//!   changes nothing the key files depend on in these cases.
//! - `GlobalKnownHostsFile` is printed before ssh expands `~` in it: a leading `~/` of the
//!   printed value is expanded with the passwd home, as ssh then does.
//! - `ProxyJump` is printed as one string: it is read with `parse_proxy_jump`, the parser
//!   `resolve` uses, and compared hop by hop.
//! - Known-hosts lists are printed space-separated: the cases use no blanks in those names.
//!
//! After the table: `resolve_jump` against `ssh -G -l user -p port host` (how OpenSSH runs
//! each jump host), and `list_aliases` on a config with patterns and an include.
//!
//! `$HOME` points at a scratch directory for the whole run: OpenSSH takes `~` in `Include`
//! from `$HOME` (its glob) but `~` elsewhere from the passwd entry, and relative includes
//! live in `~/.ssh`, which must not be the real one. The test runs as root (it gives files
//! to `nobody` and `nogroup`).
//!
//! Known disagreements (`.known`, run and printed, not compared), each with its reason:
//! keywords newer than 9.2 (`ObscureKeystrokeTiming`, `Tag` with `Match tagged`), accepted
//! on purpose; and `ProxyJump none # comment`, a jump host called `none` that `-G` prints
//! exactly like "no jump".
//!
//! Not covered, because `-F` reads no system file or there is no DNS here: the system
//! config and its `/etc/ssh`-relative includes, a suffix that `CanonicalDomains` resolves.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use switchboard_core::probe::ssh::config::{
    list_aliases, parse_proxy_jump, resolve, resolve_jump, JumpHop, ResolvedHost, SshConfigSource,
};

/// `nobody`, to own a file that is not ours.
const NOBODY_UID: u32 = 65534;
/// `nogroup`: a group that is not only root's.
const SHARED_GID: u32 = 65534;

struct Case {
    /// What the case proves.
    name: &'static str,
    alias: &'static str,
    /// `@D@` is the case's directory, `@C@` a name unique to the case.
    config: &'static str,
    /// Files to write first: under the scratch `$HOME` when the path starts with `~/`,
    /// else under the case's directory; `@C@` and `@D@` replaced in paths and contents.
    files: Vec<(&'static str, &'static str)>,
    /// Files whose mode is set after writing.
    modes: Vec<(&'static str, u32)>,
    /// Files given another owner or group (the test runs as root).
    owners: Vec<(&'static str, Option<u32>, Option<u32>)>,
    /// When ssh refuses the config: a word `resolve`'s error must contain, so that both
    /// refuse for the same reason.
    refuses: Option<&'static str>,
    /// A disagreement kept on purpose, and why.
    known: Option<&'static str>,
}

fn case(name: &'static str, alias: &'static str, config: &'static str) -> Case {
    Case {
        name,
        alias,
        config,
        files: Vec::new(),
        modes: Vec::new(),
        owners: Vec::new(),
        refuses: None,
        known: None,
    }
}

impl Case {
    fn file(mut self, path: &'static str, contents: &'static str) -> Self {
        self.files.push((path, contents));
        self
    }
    fn mode(mut self, path: &'static str, mode: u32) -> Self {
        self.modes.push((path, mode));
        self
    }
    fn owner(mut self, path: &'static str, uid: Option<u32>, gid: Option<u32>) -> Self {
        self.owners.push((path, uid, gid));
        self
    }
    fn refuses(mut self, because: &'static str) -> Self {
        self.refuses = Some(because);
        self
    }
    fn known(mut self, why: &'static str) -> Self {
        self.known = Some(why);
        self
    }
}

fn cases() -> Vec<Case> {
    vec![
        // Defaults and the basic keywords.
        case("empty config gives OpenSSH's defaults", "plain.example", ""),
        case(
            "HostName, Port and User of the matching Host",
            "db",
            "Host db\n  HostName db.internal\n  Port 2222\n  User app\n",
        ),
        case(
            "keywords in any case, with = and spaces around it",
            "db",
            "HOST db\n\tHOSTNAME=db.internal\n  port = 2200\n  User= bob\n  uSeR alice\n",
        ),
        case(
            "the first value obtained wins, across blocks and within one",
            "db",
            "Host db\n  Port 1111\n  Port 2222\nHost *\n  Port 3333\n  User star\n",
        ),
        case(
            "a Host * before the specific block wins for what it sets",
            "db",
            "Host *\n  User everyone\nHost db\n  User dbuser\n  Port 2022\n",
        ),
        case(
            "pattern lists with * and ?",
            "web-7",
            "Host db-* web-?\n  User pattern\n",
        ),
        case(
            "? matches exactly one character",
            "web-10",
            "Host web-?\n  User pattern\n",
        ),
        case(
            "a matching negation vetoes the whole Host line",
            "bastion",
            "Host * !bastion\n  User viaall\nHost bastion\n  User direct\n",
        ),
        case(
            "negation first in the list vetoes too",
            "bastion",
            "Host !bastion *\n  Port 1000\n",
        ),
        case(
            "Host patterns are case-sensitive on the alias as typed",
            "db",
            "Host DB\n  Port 1000\n",
        ),
        case(
            "quoted arguments and escapes",
            "q",
            "Host \"q\"\n  HostName \"quoted.example\"\n  IdentityFile \"~/.ssh/key with space\"\n  IdentityFile ~/.ssh/esc\\ aped\n",
        ),
        case(
            "Host=name and CRLF line endings",
            "db",
            "Host=db\r\n  Port=2200\r\n  User   crlf \r\n",
        ),
        case(
            "comments: whole lines, indented and trailing",
            "db",
            "# a comment\nHost db # trailing\n   # indented\n  Port 2200 # the port\n",
        ),
        // IdentityFile.
        case(
            "IdentityFile accumulates across blocks, duplicates dropped",
            "db",
            "Host db\n  IdentityFile ~/.ssh/db\n  IdentityFile ~/.ssh/shared\nHost *\n  IdentityFile ~/.ssh/shared\n  IdentityFile ~/.ssh/all\n",
        ),
        case(
            "IdentityFile none gives no key files",
            "db",
            "Host db\n  IdentityFile none\n",
        ),
        case(
            "tokens in IdentityFile",
            "db",
            "Host db\n  HostName db.internal\n  User app\n  Port 2200\n  IdentityFile ~/.ssh/%h_%r_%p_%n_%u\n  IdentityFile %d/k_%l_%L_%i\n  IdentityFile ~/.ssh/%C\n  IdentityFile /k/100%%\n",
        ),
        case(
            "%k is the lowercased HostKeyAlias",
            "db",
            "Host db\n  HostKeyAlias DB-Key\n  IdentityFile ~/.ssh/%k\n",
        ),
        case(
            "${VAR} in IdentityFile",
            "db",
            "Host db\n  IdentityFile ${SWB_PARITY_DIR}/id_db\n",
        ),
        case(
            "an unset ${VAR} in IdentityFile is an error",
            "db",
            "Host db\n  IdentityFile ${SWB_PARITY_UNSET}/id\n",
        )
        .refuses("has no value"),
        case(
            "an unknown % token in IdentityFile is an error",
            "db",
            "Host db\n  IdentityFile ~/.ssh/%Z\n",
        )
        .refuses("unknown key %Z"),
        case(
            "~user is that user's passwd home",
            "db",
            "Host db\n  IdentityFile ~root/.ssh/id_root\n",
        ),
        case(
            "IdentitiesOnly yes",
            "db",
            "Host db\n  IdentitiesOnly yes\n",
        ),
        // IdentityAgent.
        case("IdentityAgent none", "db", "Host db\n  IdentityAgent none\n"),
        case(
            "IdentityAgent SSH_AUTH_SOCK stays a word",
            "db",
            "Host db\n  IdentityAgent SSH_AUTH_SOCK\n",
        ),
        case(
            "IdentityAgent path with ~ and tokens",
            "db",
            "Host db\n  HostName db.internal\n  IdentityAgent ~/agents/%h-%r.sock\n",
        ),
        case(
            "IdentityAgent ${VAR} expanded, $VAR kept",
            "db",
            "Host db\n  IdentityAgent ${SWB_PARITY_DIR}/agent\nHost other\n  IdentityAgent $SSH_AUTH_SOCK\n",
        ),
        case(
            "an unset ${VAR} in IdentityAgent fails even in a block that does not apply",
            "db",
            "Host other\n  IdentityAgent ${SWB_PARITY_UNSET}\n",
        )
        .refuses("Invalid environment expansion"),
        // Known hosts.
        case(
            "UserKnownHostsFile: several on a line, the first line wins",
            "db",
            "Host db\n  UserKnownHostsFile ~/.ssh/kh_a ~/.ssh/kh_b\nHost *\n  UserKnownHostsFile ~/.ssh/kh_c\n",
        ),
        case(
            "UserKnownHostsFile none",
            "db",
            "Host db\n  UserKnownHostsFile none\n",
        ),
        case(
            "UserKnownHostsFile none must be alone",
            "db",
            "Host db\n  UserKnownHostsFile none ~/.ssh/kh\n",
        )
        .refuses("must appear alone"),
        case(
            "UserKnownHostsFile tokens and ${VAR}",
            "db",
            "Host db\n  HostName db.internal\n  UserKnownHostsFile ~/.ssh/kh_%h %d/kh_%n ${SWB_PARITY_DIR}/kh\n",
        ),
        case(
            "GlobalKnownHostsFile set (with ~)",
            "db",
            "Host db\n  GlobalKnownHostsFile /etc/ssh/other_known ~/.ssh/global\n",
        ),
        case(
            "GlobalKnownHostsFile none",
            "db",
            "Host db\n  GlobalKnownHostsFile none\n",
        ),
        // StrictHostKeyChecking and ConnectTimeout.
        case(
            "StrictHostKeyChecking accept-new",
            "db",
            "Host db\n  StrictHostKeyChecking accept-new\n",
        ),
        case(
            "StrictHostKeyChecking off means no",
            "db",
            "Host db\n  StrictHostKeyChecking off\n",
        ),
        case(
            "StrictHostKeyChecking YES in capitals",
            "db",
            "Host db\n  StrictHostKeyChecking YES\n",
        ),
        case(
            "a bad StrictHostKeyChecking value is an error",
            "db",
            "Host db\n  StrictHostKeyChecking maybe\n",
        )
        .refuses("unsupported option"),
        case(
            "ConnectTimeout with units",
            "db",
            "Host db\n  ConnectTimeout 1m30s\n",
        ),
        case(
            "ConnectTimeout none leaves it unset for a later line",
            "db",
            "Host db\n  ConnectTimeout none\nHost *\n  ConnectTimeout 7\n",
        ),
        case("ConnectTimeout 0", "db", "Host db\n  ConnectTimeout 0\n"),
        case(
            "a bad ConnectTimeout is an error",
            "db",
            "Host db\n  ConnectTimeout soon\n",
        )
        .refuses("invalid time value"),
        // ProxyJump and ProxyCommand.
        case(
            "ProxyJump chain with users and ports",
            "db",
            "Host db\n  ProxyJump jump@b1.example:2201,b2\n",
        ),
        case(
            "ProxyJump ssh:// URI and a bracketed IPv6 hop",
            "db",
            "Host db\n  ProxyJump ssh://ops@b1.example:2222,u@[2001:db8::1]:2200\n",
        ),
        case(
            "ProxyJump first, ProxyCommand after it ignored",
            "db",
            "Host db\n  ProxyJump b1\n  ProxyCommand nc %h %p\n",
        ),
        case(
            "ProxyCommand first, ProxyJump after it ignored",
            "db",
            "Host db\n  ProxyCommand nc %h %p\nHost *\n  ProxyJump b1\n",
        ),
        case(
            "ProxyJump none does not block a later ProxyCommand (OpenSSH 10.3 rule)",
            "db",
            "Host db\n  ProxyJump none\nHost *\n  ProxyCommand nc %h %p\n",
        ),
        case(
            "ProxyJump none blocks a later ProxyJump",
            "db",
            "Host db\n  ProxyJump none\nHost *\n  ProxyJump b1\n",
        ),
        case(
            "ProxyCommand then ProxyJump none: the command stays",
            "db",
            "Host db\n  ProxyCommand nc %h %p\n  ProxyJump none\n",
        ),
        case(
            "a comment after ProxyJump is not part of the chain",
            "db",
            "Host db\n  ProxyJump b1,b2 # via the bastions\n",
        ),
        case(
            "ProxyJump none followed by a comment names a host called none",
            "db",
            "Host db\n  ProxyJump none # no jump\n",
        )
        .known("ssh -G prints this jump host as `proxyjump none`, which reads back as no jump; \
                resolve returns the host `none`, which is what ssh then connects through"),
        case(
            "ProxyCommand none blocks a later ProxyJump",
            "db",
            "Host db\n  ProxyCommand none\nHost *\n  ProxyJump b1\n",
        ),
        case(
            "ProxyCommand kept raw: tokens, quotes, = and a # that is not a comment",
            "db",
            "Host db\n  ProxyCommand=ssh -W \"%h:%p\" -l %r bastion # %n %%\n",
        ),
        case(
            "an invalid ProxyJump is an error even where it does not apply",
            "db",
            "Host other\n  ProxyJump @b1\n",
        )
        .refuses("Invalid ProxyJump"),
        case(
            "a ProxyJump to the host itself is a loop",
            "db",
            "Host db\n  HostName db.internal\n  ProxyJump db.internal\n",
        )
        .refuses("loops back"),
        // HostName and Port forms.
        case(
            "HostName with %h",
            "db",
            "Host db\n  HostName %h.example.com\n",
        ),
        case(
            "%% in HostName is a percent sign",
            "db",
            "Host db\n  HostName 100%%.%h\n",
        ),
        case(
            "an alias that is an address is normalised",
            "127.1",
            "Host 127.1\n  Port 2400\n",
        ),
        case(
            "an IPv6 alias only differing in case keeps its case",
            "2001:DB8::1",
            "Host 2001:DB8::1\n  Port 2401\n",
        ),
        case(
            "HostName lowercased",
            "db",
            "Host db\n  HostName DB.Example.COM\n",
        ),
        case(
            "short IPv4 forms normalised as getaddrinfo does",
            "db",
            "Host db\n  HostName 10.1\n",
        ),
        case(
            "IPv6 compressed and lowercased",
            "db",
            "Host db\n  HostName 2001:DB8:0:0:1:0:0:1\n",
        ),
        case(
            "an unknown token in HostName is an error",
            "db",
            "Host db\n  HostName %r.example\n",
        )
        .refuses("unknown key %r"),
        case("Port by service name", "db", "Host db\n  Port ssh\n"),
        case("Port 0 is an error", "db", "Host db\n  Port 0\n")
        .refuses("Bad port"),
        // Line errors.
        case(
            "an unknown keyword is an error",
            "db",
            "Host db\n  NotAKeyword yes\n",
        )
        .refuses("Bad configuration option"),
        case(
            "IgnoreUnknown patterns let unknown keywords through",
            "db",
            "IgnoreUnknown Foo*,Bar\nHost db\n  FooBaz yes\n  Bar 1 2 3\n  Port 2200\n",
        ),
        case(
            "IgnoreUnknown only covers lines after it",
            "db",
            "FooBaz yes\nIgnoreUnknown Foo*\n",
        )
        .refuses("Bad configuration option"),
        case("a keyword without argument is an error", "db", "Host db\n  Port\n")
        .refuses("no argument after keyword"),
        case(
            "extra arguments are an error",
            "db",
            "Host db\n  Port 22 23\n",
        )
        .refuses("extra arguments"),
        case(
            "an open quote is an error",
            "db",
            "Host db\n  IdentityFile \"~/.ssh/open\n",
        )
        .refuses("invalid quotes"),
        case(
            "known keywords Switchboard does not use are accepted",
            "db",
            "Host *\n  SendEnv LANG LC_*\n  SetEnv A=b\n  HashKnownHosts yes\n  GSSAPIAuthentication yes\n  LocalForward 5432 localhost:5432\n  ServerAliveInterval 30\n  Protocol 2\nHost db\n  Port 2200\n",
        ),
        // Match.
        case("Match all", "db", "Match all\n  User everyone\n"),
        case(
            "Match host is the HostName so far",
            "db",
            "Host db\n  HostName db.prod.example\nMatch host *.prod.example\n  User produser\n",
        ),
        case(
            "Match host ignores case",
            "DB",
            "Match host db\n  Port 2200\n",
        ),
        case(
            "Match originalhost is the alias",
            "db",
            "Host db\n  HostName db.internal\nMatch originalhost db\n  User orig\n",
        ),
        case(
            "Match user is the User so far",
            "db",
            "Host db\n  User admin\nMatch user admin,root\n  Port 2201\n",
        ),
        case(
            "Match localuser",
            "db",
            "Match localuser root,nobody\n  Port 2202\n",
        ),
        case(
            "Match exec with tokens, exit status decides",
            "db",
            "Host db\n  HostName db.internal\nMatch exec \"test %h = db.internal\"\n  User yes-exec\nMatch exec false\n  Port 9\n",
        ),
        case(
            "Match criteria are ANDed, ! negates one",
            "db",
            "Match host db !user nobody\n  Port 2203\nMatch host db user nobody\n  Port 9\n",
        ),
        case(
            "comma lists and negation inside a Match pattern list",
            "db",
            "Match host foo,d?,!x*\n  Port 2204\n",
        ),
        case(
            "Match final: a second pass matches Host against the host name",
            "db",
            "Host real.example\n  User finaluser\nMatch final\n  Port 2205\nHost db\n  HostName REAL.example\n",
        ),
        case(
            "Match !final applies in the first pass only",
            "db",
            "Match !final\n  User firstpass\n",
        ),
        case(
            "Match canonical with CanonicalizeHostname (no DNS answer, fallback local)",
            "db",
            "Host db\n  HostName DB.local\n  CanonicalizeHostname yes\n  CanonicalDomains example.invalid\nMatch canonical\n  User canon\n",
        ),
        case(
            "CanonicalizeHostname skipped behind a ProxyCommand unless always",
            "db",
            "Host db\n  ProxyCommand nc %h %p\n  CanonicalizeHostname yes\n  CanonicalDomains example.invalid\n  CanonicalizeFallbackLocal no\n",
        ),
        case(
            "CanonicalizeFallbackLocal no fails when no suffix resolves",
            "db",
            "Host db\n  CanonicalizeHostname yes\n  CanonicalDomains example.invalid\n  CanonicalizeFallbackLocal no\n",
        )
        .refuses("could not resolve"),
        case(
            "a name with more dots than CanonicalizeMaxDots is left alone",
            "db",
            "Host db\n  HostName a.b.c\n  CanonicalizeHostname yes\n  CanonicalDomains example.invalid\n  CanonicalizeFallbackLocal no\n",
        ),
        case(
            "an unsupported Match attribute is an error",
            "db",
            "Match colour blue\n  Port 1\n",
        )
        .refuses("Unsupported Match attribute"),
        case(
            "Match all cannot be combined",
            "db",
            "Match all host db\n  Port 1\n",
        )
        .refuses("cannot be combined"),
        case(
            "IdentityFile accumulates over both passes",
            "db",
            "Host db\n  IdentityFile ~/.ssh/first\nMatch final\n  IdentityFile ~/.ssh/second\n",
        ),
        case(
            "duplicates are by the text as written: ~/x and its expansion both stay",
            "db",
            "Host db\n  IdentityFile ~/.ssh/same\n  IdentityFile /root/.ssh/same\n",
        ),
        case(
            "Match host= and a trailing comment on a Match line",
            "db",
            "Match host=db # only db\n  Port 2206\n",
        ),
        case(
            "Match host sees %h expanded in HostName",
            "db",
            "Host db\n  HostName %h.corp.example\nMatch host db.corp.example\n  User corp\n",
        ),
        case(
            "an empty Host pattern is an error",
            "db",
            "Host \"\"\n  Port 1\n",
        )
        .refuses("empty argument"),
        case(
            "an invalid CanonicalDomains name is an error",
            "db",
            "Host db\n  CanonicalDomains -bad.example\n",
        )
        .refuses("invalid character"),
        // Include.
        case(
            "Include glob: files in sorted order, first value wins",
            "db",
            "Include @D@/conf.d/*.conf\n",
        )
        .file("conf.d/b.conf", "Host db\n  Port 2302\n  User bee\n")
        .file("conf.d/a.conf", "Host db\n  Port 2301\n"),
        case(
            "Include globs with ?, [a-b] and [!z]; files read in sorted order",
            "db",
            "Include @D@/g/c?.conf @D@/g/[a-b]x.conf @D@/g/[!z]y.conf\n",
        )
        .file("g/c1.conf", "IdentityFile ~/.ssh/c1\n")
        .file("g/c10.conf", "IdentityFile ~/.ssh/c10\n")
        .file("g/bx.conf", "IdentityFile ~/.ssh/bx\n")
        .file("g/ax.conf", "IdentityFile ~/.ssh/ax\n")
        .file("g/cx.conf", "IdentityFile ~/.ssh/cx\n")
        .file("g/zy.conf", "IdentityFile ~/.ssh/zy\n")
        .file("g/yy.conf", "IdentityFile ~/.ssh/yy\n"),
        case(
            "an Include glob across directories",
            "db",
            "Include @D@/d*/inc.conf\n",
        )
        .file("d2/inc.conf", "IdentityFile ~/.ssh/d2\n")
        .file("d1/inc.conf", "IdentityFile ~/.ssh/d1\n")
        .file("e/inc.conf", "IdentityFile ~/.ssh/e\n"),
        case(
            "a relative Include is relative to ~/.ssh ($HOME)",
            "db",
            "Include @C@/extra.conf\n",
        )
        .file("~/.ssh/@C@/extra.conf", "Host db\n  User relative\n"),
        case(
            "Include ~/ uses $HOME",
            "db",
            "Include ~/.ssh/@C@.conf\n",
        )
        .file("~/.ssh/@C@.conf", "Host db\n  Port 2303\n"),
        case(
            "Include inside a Host that does not apply is not applied",
            "db",
            "Host other\n  Include @D@/inc.conf\nHost db\n  Port 2304\n",
        )
        .file("inc.conf", "Port 9\nHost db\n  User never\n"),
        case(
            "Include inside a Match block applies only when it matches",
            "db",
            "Match host other\n  Include @D@/a.conf\nMatch originalhost db\n  Include @D@/b.conf\n",
        )
        .file("a.conf", "User never\n")
        .file("b.conf", "User matched\n"),
        case(
            "Include inside the matching Host applies",
            "db",
            "Host db\n  Include @D@/inc.conf\n  User after\n",
        )
        .file("inc.conf", "Port 2305\n"),
        case(
            "an included file's Host block ends with the file",
            "db",
            "Host db\n  Include @D@/inc.conf\n  User back-in-db\n",
        )
        .file("inc.conf", "Host nothing-matches\n  Port 9\n"),
        case(
            "a bad line in a file included where it does not apply is still an error",
            "db",
            "Host other\n  Include @D@/bad.conf\n",
        )
        .file("bad.conf", "Port none-such\n")
        .refuses("Bad port"),
        case(
            "a missing Include is ignored",
            "db",
            "Include @D@/nothing-here.conf @D@/none.d/*\nHost db\n  Port 2306\n",
        ),
        case(
            "a file including itself hits the depth limit",
            "db",
            "Include @D@/loop.conf\n",
        )
        .file("loop.conf", "Include @D@/loop.conf\n")
        .refuses("nested Include"),
        case(
            "* in Include does not match dot files",
            "db",
            "Include @D@/dots/*\n",
        )
        .file("dots/.hidden", "Port 9\n")
        .file("dots/shown", "Port 2307\n"),
        case(
            "a world-writable included file is refused",
            "db",
            "Include @D@/loose.conf\n",
        )
        .file("loose.conf", "Port 2308\n")
        .mode("loose.conf", 0o666)
        .refuses("permissions"),
        case(
            "a group-writable file whose group is only its owner is read (Debian's rule)",
            "db",
            "Include @D@/group.conf\n",
        )
        .file("group.conf", "Port 2311\n")
        .mode("group.conf", 0o664),
        case(
            "a group-writable file of a group with other members is refused",
            "db",
            "Include @D@/shared.conf\n",
        )
        .file("shared.conf", "Port 2312\n")
        .mode("shared.conf", 0o664)
        .owner("shared.conf", None, Some(SHARED_GID))
        .refuses("permissions"),
        case(
            "an included file owned by another user is refused",
            "db",
            "Include @D@/theirs.conf\n",
        )
        .file("theirs.conf", "Port 2313\n")
        .owner("theirs.conf", Some(NOBODY_UID), None)
        .refuses("permissions"),
        case(
            "Match final inside an included file",
            "db",
            "Host db\n  HostName Final.Example\nInclude @D@/final.conf\n",
        )
        .file("final.conf", "Match final host final.example\n  User from-include\n"),
        // Deliberate disagreements.
        case(
            "newer keyword ObscureKeystrokeTiming",
            "db",
            "Host db\n  ObscureKeystrokeTiming no\n  Port 2309\n",
        )
        .known("OpenSSH 9.2 does not know it (added in 9.7); accepted so a config written for a newer ssh resolves"),
        case(
            "newer Tag and Match tagged",
            "db",
            "Host db\n  Tag prod\nMatch tagged prod\n  Port 2310\n",
        )
        .known("Tag and Match tagged are OpenSSH 9.4; 9.2 refuses them, Switchboard follows the newer meaning"),
    ]
}

/// What `ssh -G` printed: each keyword's values in order.
type Dump = HashMap<String, Vec<String>>;

fn ssh_g(config: &Path, alias: &str) -> Result<Dump, String> {
    ssh_g_with(config, &[], alias)
}

fn ssh_g_with(config: &Path, options: &[String], alias: &str) -> Result<Dump, String> {
    let out = Command::new("ssh")
        .arg("-G")
        .arg("-F")
        .arg(config)
        .args(options)
        .arg(alias)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run ssh (OpenSSH is needed for this test): {e}"));
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let mut dump = Dump::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (k, v) = line.split_once(' ').unwrap_or((line, ""));
        dump.entry(k.to_string()).or_default().push(v.to_string());
    }
    Ok(dump)
}

/// The key files as ssh loads them (expanded), from `ssh -v`.
fn ssh_v_identities(config: &Path, alias: &str) -> Result<Vec<String>, String> {
    let out = Command::new("ssh")
        .arg("-v")
        .arg("-F")
        .arg(config)
        .args(["-o", "ProxyCommand=true", "-o", "BatchMode=yes"])
        .arg(alias)
        .arg("true")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run ssh: {e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    // Past key loading: the handshake with `true` has started (and failed).
    let reached = [
        "Local version string",
        "kex_exchange_identification",
        "banner exchange",
    ];
    if !reached.iter().any(|m| err.contains(m)) {
        return Err(err.trim().to_string());
    }
    let mut files: Vec<String> = Vec::new();
    for line in err.lines() {
        let Some(rest) = line.strip_prefix("debug1: identity file ") else {
            continue;
        };
        let Some((path, _)) = rest.rsplit_once(" type ") else {
            continue;
        };
        let path = unvis(path);
        // ssh also tries "<file>-cert" after each file.
        if files.last().is_some_and(|f| path == format!("{f}-cert")) {
            continue;
        }
        files.push(path);
    }
    Ok(files)
}

/// Undoes the `strnvis(VIS_SAFE | VIS_OCTAL)` ssh applies to its log lines: `\\` and
/// `\ooo`.
fn unvis(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
                continue;
            }
            let octal = b
                .get(i + 1..i + 4)
                .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
            if let Some(d) = octal {
                let v = d.iter().fold(0u32, |v, c| v * 8 + u32::from(c - b'0'));
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One field as ssh and as `resolve` give it.
struct Field {
    name: &'static str,
    ssh: String,
    ours: String,
}

fn fields(dump: &Dump, ids: &[String], r: &ResolvedHost, home: &Path) -> Vec<Field> {
    let one = |k: &str| dump.get(k).and_then(|v| v.first()).cloned();
    let list = |k: &str| -> Vec<String> {
        match one(k).as_deref() {
            None | Some("none") => Vec::new(),
            Some(v) => v.split(' ').map(str::to_string).collect(),
        }
    };
    let paths = |v: &[PathBuf]| {
        v.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    };
    let hops = |h: &[JumpHop]| format!("{h:?}");
    let jump_ssh = match one("proxyjump") {
        None => "[]".to_string(),
        Some(v) => match parse_proxy_jump(&v) {
            Ok(h) => hops(&h),
            Err(e) => format!("unparsable {v:?}: {e}"),
        },
    };
    let global: Vec<String> = list("globalknownhostsfile")
        .into_iter()
        .map(|f| match f.strip_prefix("~/") {
            Some(rest) => home.join(rest).display().to_string(),
            None => f,
        })
        .collect();
    let opt = |v: Option<String>| v.unwrap_or_else(|| "(unset)".to_string());
    vec![
        Field {
            name: "hostname",
            ssh: opt(one("hostname")),
            ours: r.hostname.clone(),
        },
        Field {
            name: "port",
            ssh: opt(one("port")),
            ours: r.port.to_string(),
        },
        Field {
            name: "user",
            ssh: opt(one("user")),
            ours: r.user.clone(),
        },
        Field {
            name: "identity_files",
            ssh: format!("{ids:?}"),
            ours: format!("{:?}", paths(&r.identity_files)),
        },
        Field {
            name: "identities_only",
            ssh: opt(one("identitiesonly")),
            ours: if r.identities_only { "yes" } else { "no" }.to_string(),
        },
        Field {
            name: "identity_agent",
            ssh: opt(one("identityagent")),
            ours: opt(r.identity_agent.clone()),
        },
        Field {
            name: "proxy_jump",
            ssh: jump_ssh,
            ours: hops(&r.proxy_jump),
        },
        Field {
            name: "proxy_command",
            ssh: opt(one("proxycommand")),
            ours: opt(r.proxy_command.clone()),
        },
        Field {
            name: "user_known_hosts_files",
            ssh: format!("{:?}", list("userknownhostsfile")),
            ours: format!("{:?}", paths(&r.user_known_hosts_files)),
        },
        Field {
            name: "global_known_hosts_files",
            ssh: format!("{global:?}"),
            ours: format!("{:?}", paths(&r.global_known_hosts_files)),
        },
        Field {
            name: "strict_host_key_checking",
            ssh: opt(one("stricthostkeychecking")),
            ours: r.strict_host_key_checking.as_ssh_g().to_string(),
        },
        Field {
            name: "connect_timeout",
            ssh: opt(one("connecttimeout")),
            ours: r
                .connect_timeout
                .map_or_else(|| "none".to_string(), |t| t.to_string()),
        },
    ]
}

#[test]
fn resolve_agrees_with_ssh_g() {
    // Before $HOME changes: the passwd home and name, as OpenSSH takes them.
    let me = SshConfigSource::for_current_user().expect("current user");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let home = scratch.path().join("home");
    fs::create_dir_all(home.join(".ssh")).expect("scratch ~/.ssh");
    // One test in this binary, set before any ssh runs: nothing else reads the environment.
    std::env::set_var("HOME", &home);
    std::env::set_var("SWB_PARITY_DIR", "/srv/parity");
    std::env::remove_var("SWB_PARITY_UNSET");

    let all = cases();
    assert!(all.len() >= 45, "at least 45 cases");
    let mut failures = Vec::new();
    let mut agreed = 0;
    let mut known = Vec::new();
    for (i, c) in all.iter().enumerate() {
        let tag = format!("c{i}");
        let dir = scratch.path().join(&tag);
        fs::create_dir_all(&dir).expect("case dir");
        let fill = |s: &str| {
            s.replace("@D@", &dir.display().to_string())
                .replace("@C@", &tag)
        };
        for (path, contents) in &c.files {
            let path = fill(path);
            let target = match path.strip_prefix("~/") {
                Some(rest) => home.join(rest),
                None => dir.join(&path),
            };
            fs::create_dir_all(target.parent().expect("parent")).expect("dirs");
            fs::write(&target, fill(contents)).expect("write include");
        }
        for (path, uid, gid) in &c.owners {
            std::os::unix::fs::chown(dir.join(path), *uid, *gid).expect("chown (run as root)");
        }
        for (path, mode) in &c.modes {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir.join(path), fs::Permissions::from_mode(*mode)).expect("chmod");
        }
        let config_text = fill(c.config);
        let config = dir.join("config");
        fs::write(&config, &config_text).expect("write config");
        let src = SshConfigSource {
            user_config: config.clone(),
            system_config: None,
            home: me.home.clone(),
            local_user: me.local_user.clone(),
        };

        let ours = resolve(c.alias, &src);
        let theirs = ssh_g(&config, c.alias).and_then(|dump| {
            let ids = ssh_v_identities(&config, c.alias)?;
            Ok((dump, ids))
        });
        let report = match (&theirs, &ours) {
            (Err(e), Err(o)) => match c.refuses {
                Some(why) if o.to_string().contains(why) => {
                    eprintln!("ok   {}: both refuse (ssh: {e}; ours: {o})", c.name);
                    None
                }
                Some(why) => Some(format!(
                    "both refuse, but resolve not for {why:?}: ssh: {e}; ours: {o}"
                )),
                None => Some(format!(
                    "both refuse (ssh: {e}; ours: {o}); the case must say why with .refuses()"
                )),
            },
            (Err(e), Ok(o)) => Some(format!("ssh refuses ({e}), resolve gives {o:#?}")),
            (Ok(_), Err(o)) => Some(format!("ssh accepts, resolve refuses: {o}")),
            (Ok(_), Ok(_)) if c.refuses.is_some() => {
                Some("both accept, but the case expects a refusal".to_string())
            }
            (Ok((dump, ids)), Ok(r)) => {
                let diffs: Vec<String> = fields(dump, ids, r, &me.home)
                    .into_iter()
                    .filter(|f| f.ssh != f.ours)
                    .map(|f| format!("  {}: ssh {} / ours {}", f.name, f.ssh, f.ours))
                    .collect();
                if diffs.is_empty() {
                    eprintln!("ok   {}", c.name);
                    None
                } else {
                    Some(diffs.join("\n"))
                }
            }
        };
        match (c.known, report) {
            (Some(why), r) => {
                eprintln!(
                    "skip {} (known: {why}){}",
                    c.name,
                    r.map(|d| format!("\n{d}")).unwrap_or_default()
                );
                known.push(c.name);
            }
            (None, None) => agreed += 1,
            (None, Some(d)) => failures.push(format!(
                "case {:?} (alias {:?})\n--- config\n{config_text}--- differences\n{d}",
                c.name, c.alias
            )),
        }
    }
    eprintln!(
        "{agreed} cases agree with ssh -G, {} known disagreements, {} failures",
        known.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));

    // Jump hops: resolved like the `ssh -l user -p port host` OpenSSH runs for each.
    let dir = scratch.path().join("jumps");
    fs::create_dir_all(&dir).expect("dir");
    let config = dir.join("config");
    fs::write(
        &config,
        "Host bastion\n  HostName bastion.internal\n  User fromconfig\n  Port 2022\n\
         Match user ops\n  IdentityFile ~/.ssh/ops_%r_%p\n",
    )
    .expect("write");
    let src = SshConfigSource {
        user_config: config.clone(),
        system_config: None,
        home: me.home.clone(),
        local_user: me.local_user.clone(),
    };
    for spec in ["bastion", "ops@bastion", "ops@bastion:2200", "bastion:2201"] {
        let hop = parse_proxy_jump(spec).expect("hop").remove(0);
        let mut options = Vec::new();
        if let Some(u) = &hop.user {
            options.extend(["-l".to_string(), u.clone()]);
        }
        if let Some(p) = hop.port {
            options.extend(["-p".to_string(), p.to_string()]);
        }
        let dump = ssh_g_with(&config, &options, &hop.host).expect("ssh -G for the hop");
        let r = resolve_jump(&hop, &src).expect("resolve_jump");
        for (key, ours) in [
            ("hostname", r.hostname.clone()),
            ("user", r.user.clone()),
            ("port", r.port.to_string()),
        ] {
            let theirs = dump.get(key).and_then(|v| v.first()).cloned();
            assert_eq!(theirs.as_deref(), Some(ours.as_str()), "hop {spec}: {key}");
        }
        // The key files depend on Match user and %r/%p seeing -l and -p.
        let expected_ops = hop.user.as_deref() == Some("ops");
        let has_ops = r
            .identity_files
            .iter()
            .any(|f| f.display().to_string().contains("ops_ops_"));
        assert_eq!(has_ops, expected_ops, "hop {spec}: {:?}", r.identity_files);
    }

    // The alias picker: concrete names only, through includes.
    let dir = scratch.path().join("aliases");
    fs::create_dir_all(dir.join("conf.d")).expect("dir");
    fs::write(dir.join("conf.d/x.conf"), "Host inc-one inc-* !neg\n").expect("write");
    let config = dir.join("config");
    fs::write(
        &config,
        format!(
            "Host db web-? \"spaced name\"\nMatch host x\n  Include {}/conf.d/*.conf\nHost db\n",
            dir.display()
        ),
    )
    .expect("write");
    let src = SshConfigSource {
        user_config: config,
        system_config: None,
        home: me.home.clone(),
        local_user: me.local_user.clone(),
    };
    assert_eq!(list_aliases(&src), vec!["db", "spaced name", "inc-one"]);
}
