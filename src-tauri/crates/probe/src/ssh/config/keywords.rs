//! The keywords OpenSSH 9.2 knows (and later ones accepted), how many arguments each
//! takes, and the flag values it reads.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arity {
    One,
    OneOrTwo,
    Two,
    AtLeastOne,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kw {
    Host,
    Match,
    Include,
    HostName,
    Port,
    User,
    IdentityFile,
    IdentitiesOnly,
    IdentityAgent,
    ProxyCommand,
    ProxyJump,
    UserKnownHostsFile,
    GlobalKnownHostsFile,
    StrictHostKeyChecking,
    ConnectTimeout,
    HostKeyAlias,
    CanonicalizeHostname,
    CanonicalDomains,
    CanonicalizeMaxDots,
    CanonicalizeFallbackLocal,
    CanonicalizePermittedCnames,
    IgnoreUnknown,
    Tag,
    /// Known to OpenSSH, not used here: only the argument count is checked.
    Other(Arity),
}

/// OpenSSH 9.2's keyword table (Debian's GSSAPI and keep-alive additions included).
pub(super) fn keyword_of(kw: &str) -> Option<Kw> {
    use Arity::*;
    Some(match kw {
        "host" => Kw::Host,
        "match" => Kw::Match,
        "include" => Kw::Include,
        "hostname" => Kw::HostName,
        "port" => Kw::Port,
        "user" => Kw::User,
        "identityfile" | "identityfile2" => Kw::IdentityFile,
        "identitiesonly" => Kw::IdentitiesOnly,
        "identityagent" => Kw::IdentityAgent,
        "proxycommand" => Kw::ProxyCommand,
        "proxyjump" => Kw::ProxyJump,
        "userknownhostsfile" => Kw::UserKnownHostsFile,
        "globalknownhostsfile" => Kw::GlobalKnownHostsFile,
        "stricthostkeychecking" => Kw::StrictHostKeyChecking,
        "connecttimeout" => Kw::ConnectTimeout,
        "hostkeyalias" => Kw::HostKeyAlias,
        "canonicalizehostname" => Kw::CanonicalizeHostname,
        "canonicaldomains" => Kw::CanonicalDomains,
        "canonicalizemaxdots" => Kw::CanonicalizeMaxDots,
        "canonicalizefallbacklocal" => Kw::CanonicalizeFallbackLocal,
        "canonicalizepermittedcnames" => Kw::CanonicalizePermittedCnames,
        "ignoreunknown" => Kw::IgnoreUnknown,
        // Newer than 9.2 (Match tagged uses it).
        "tag" => Kw::Tag,
        // Ignored, deprecated or unsupported ones (OpenSSH only logs them), lists, and
        // commands taken as the rest of the line; the last four are newer than 9.2.
        "protocol"
        | "cipher"
        | "fallbacktorsh"
        | "globalknownhostsfile2"
        | "rhostsauthentication"
        | "userknownhostsfile2"
        | "useroaming"
        | "usersh"
        | "useprivilegedport"
        | "afstokenpassing"
        | "kerberosauthentication"
        | "kerberostgtpassing"
        | "rsaauthentication"
        | "rhostsrsaauthentication"
        | "compressionlevel"
        | "logverbose"
        | "sendenv"
        | "setenv"
        | "localcommand"
        | "remotecommand"
        | "knownhostscommand"
        | "channeltimeout"
        | "obscurekeystroketiming"
        | "warnweakcrypto"
        | "versionaddendum" => Kw::Other(Any),
        "permitremoteopen" => Kw::Other(AtLeastOne),
        "localforward" => Kw::Other(Two),
        "remoteforward" | "addkeystoagent" | "ipqos" | "rekeylimit" => Kw::Other(OneOrTwo),
        "forwardagent"
        | "forwardx11"
        | "forwardx11trusted"
        | "forwardx11timeout"
        | "exitonforwardfailure"
        | "xauthlocation"
        | "gatewayports"
        | "passwordauthentication"
        | "kbdinteractiveauthentication"
        | "kbdinteractivedevices"
        | "challengeresponseauthentication"
        | "skeyauthentication"
        | "tisauthentication"
        | "pubkeyauthentication"
        | "dsaauthentication"
        | "hostbasedauthentication"
        | "certificatefile"
        | "ciphers"
        | "macs"
        | "escapechar"
        | "connectionattempts"
        | "batchmode"
        | "checkhostip"
        | "compression"
        | "tcpkeepalive"
        | "keepalive"
        | "numberofpasswordprompts"
        | "syslogfacility"
        | "loglevel"
        | "dynamicforward"
        | "preferredauthentications"
        | "hostkeyalgorithms"
        | "casignaturealgorithms"
        | "bindaddress"
        | "bindinterface"
        | "clearallforwardings"
        | "enablesshkeysign"
        | "verifyhostkeydns"
        | "nohostauthenticationforlocalhost"
        | "addressfamily"
        | "serveraliveinterval"
        | "serveralivecountmax"
        | "controlpath"
        | "controlmaster"
        | "controlpersist"
        | "hashknownhosts"
        | "tunnel"
        | "tunneldevice"
        | "permitlocalcommand"
        | "visualhostkey"
        | "kexalgorithms"
        | "requesttty"
        | "sessiontype"
        | "stdinnull"
        | "forkafterauthentication"
        | "proxyusefdpass"
        | "streamlocalbindmask"
        | "streamlocalbindunlink"
        | "revokedhostkeys"
        | "fingerprinthash"
        | "updatehostkeys"
        | "hostbasedacceptedalgorithms"
        | "hostbasedkeytypes"
        | "pubkeyacceptedalgorithms"
        | "pubkeyacceptedkeytypes"
        | "securitykeyprovider"
        | "requiredrsasize"
        | "enableescapecommandline"
        | "gssapiauthentication"
        | "gssapidelegatecredentials"
        | "pkcs11provider"
        | "smartcarddevice"
        | "gssapikeyexchange"
        | "gssapitrustdns"
        | "gssapiclientidentity"
        | "gssapiserveridentity"
        | "gssapirenewalforcesrekey"
        | "gssapikexalgorithms"
        | "protocolkeepalives"
        | "setuptimeout" => Kw::Other(One),
        _ => return None,
    })
}

pub(super) fn one<'v>(
    at: &At<'_>,
    args: &'v [String],
    extra: &dyn Fn() -> ConfigError,
) -> Result<&'v str, ConfigError> {
    match args.first() {
        Some(v) if !v.is_empty() => {
            if args.len() > 1 {
                Err(extra())
            } else {
                Ok(v)
            }
        }
        _ => Err(at.err("Missing argument.")),
    }
}

pub(super) fn check_arity(
    at: &At<'_>,
    kw: &str,
    arity: Arity,
    args: &[String],
) -> Result<(), ConfigError> {
    let missing = args.first().is_none_or(|a| a.is_empty());
    let max = match arity {
        Arity::Any => return Ok(()),
        Arity::AtLeastOne if args.is_empty() => {
            return Err(at.err(format!("missing {kw} specification")))
        }
        Arity::AtLeastOne => return Ok(()),
        Arity::One => 1,
        Arity::OneOrTwo => 2,
        Arity::Two => {
            if !missing && args.get(1).is_none_or(|a| a.is_empty()) {
                return Err(at.err("Missing target argument."));
            }
            2
        }
    };
    if missing {
        return Err(at.err("Missing argument."));
    }
    if args.len() > max {
        return Err(at.err(format!("keyword {kw} extra arguments at end of line")));
    }
    Ok(())
}

pub(super) fn parse_flag(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    }
}
