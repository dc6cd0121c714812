//! Distinguished names, for Oracle's SSL_SERVER_CERT_DN: the DN a user types (RFC 4514)
//! and a certificate's subject, both as lists of (attribute, value) so that they compare
//! by content. Written by hand: no crate in the tree reads a typed DN (x509-parser reads
//! the certificate side).

/// A distinguished name as a sorted list of (attribute, value). Two DNs are the same when
/// they hold the same attributes and values, whatever their order, the spacing around
/// them, the case of attribute names or of values (X.500's caseIgnoreMatch, which the
/// attributes DNs use).
pub type Dn = Vec<(String, String)>;

/// Attribute names by OID (and the aliases people type), as RFC 4514 and Oracle write them.
fn attribute_name(key: &str) -> String {
    match key.to_ascii_uppercase().as_str() {
        "2.5.4.3" | "CN" | "COMMONNAME" => "CN",
        "2.5.4.4" | "SN" | "SURNAME" => "SN",
        "2.5.4.5" | "SERIALNUMBER" => "SERIALNUMBER",
        "2.5.4.6" | "C" | "COUNTRYNAME" => "C",
        "2.5.4.7" | "L" | "LOCALITYNAME" => "L",
        "2.5.4.8" | "ST" | "S" | "STATEORPROVINCENAME" => "ST",
        "2.5.4.9" | "STREET" | "STREETADDRESS" => "STREET",
        "2.5.4.10" | "O" | "ORGANIZATIONNAME" => "O",
        "2.5.4.11" | "OU" | "ORGANIZATIONALUNITNAME" => "OU",
        "2.5.4.12" | "T" | "TITLE" => "TITLE",
        "2.5.4.15" | "BUSINESSCATEGORY" => "BUSINESSCATEGORY",
        "2.5.4.17" | "POSTALCODE" => "POSTALCODE",
        "2.5.4.42" | "G" | "GN" | "GIVENNAME" => "GIVENNAME",
        "2.5.4.46" | "DNQUALIFIER" => "DNQUALIFIER",
        "2.5.4.97" | "ORGANIZATIONIDENTIFIER" => "ORGANIZATIONIDENTIFIER",
        "0.9.2342.19200300.100.1.1" | "UID" | "USERID" => "UID",
        "0.9.2342.19200300.100.1.25" | "DC" | "DOMAINCOMPONENT" => "DC",
        "1.2.840.113549.1.9.1" | "E" | "EMAIL" | "EMAILADDRESS" => "EMAILADDRESS",
        other => return other.to_owned(),
    }
    .to_owned()
}

fn finish(mut dn: Dn) -> Dn {
    for (_, v) in &mut dn {
        *v = v.to_lowercase();
    }
    dn.sort();
    dn
}

/// A certificate's subject, attribute by attribute (so a value holding ", O=" is one
/// value, not two attributes); `None` when it cannot be read.
pub fn certificate_subject(der: &[u8]) -> Option<Dn> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let mut dn = Vec::new();
    for rdn in cert.subject().iter_rdn() {
        for attr in rdn.iter() {
            let value = attr.as_str().ok()?;
            dn.push((
                attribute_name(&attr.attr_type().to_id_string()),
                value.to_owned(),
            ));
        }
    }
    Some(finish(dn))
}

/// A DN as typed (RFC 4514: `,` or `+` between parts — `;` too, as older tools write —,
/// `\,`-style escapes and `\C3\A9`-style UTF-8 bytes); `None` when it cannot be read.
pub fn parse(text: &str) -> Option<Dn> {
    // Escaped spaces survive the trimming as U+0001, then are put back.
    const KEPT_SPACE: char = '\u{1}';
    fn push(bytes: &mut Vec<u8>, c: char) {
        bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    // Each part is gathered as bytes: hex escapes are UTF-8 bytes, checked per part.
    let mut parts = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next()?;
                if next.is_ascii_hexdigit() {
                    let low = chars.next().filter(char::is_ascii_hexdigit)?;
                    match u8::from_str_radix(&format!("{next}{low}"), 16).ok()? {
                        b' ' => push(&mut current, KEPT_SPACE),
                        byte => current.push(byte),
                    }
                } else if next == ' ' {
                    push(&mut current, KEPT_SPACE);
                } else {
                    push(&mut current, next);
                }
            }
            ',' | '+' | ';' => parts.push(String::from_utf8(std::mem::take(&mut current)).ok()?),
            c => push(&mut current, c),
        }
    }
    parts.push(String::from_utf8(current).ok()?);
    let mut dn = Vec::new();
    for part in parts {
        let (key, value) = part.split_once('=')?;
        let key = key.trim().to_ascii_uppercase();
        let key = attribute_name(key.strip_prefix("OID.").unwrap_or(&key));
        let value = value.trim().replace(KEPT_SPACE, " ");
        if key.is_empty() || value.is_empty() {
            return None;
        }
        dn.push((key, value));
    }
    Some(finish(dn))
}

/// RFC 4514 text for a DN, which `parse` reads back as the same DN.
pub fn to_string(dn: &Dn) -> String {
    dn.iter()
        .map(|(k, v)| {
            let mut out = format!("{k}=");
            let last = v.chars().count().saturating_sub(1);
            for (i, c) in v.chars().enumerate() {
                let edge_space = c == ' ' && (i == 0 || i == last);
                if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
                    || edge_space
                    || (i == 0 && c == '#')
                {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dn(pairs: &[(&str, &str)]) -> Option<Dn> {
        Some(finish(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ))
    }

    #[test]
    fn typed_dns_ignore_order_spacing_and_the_case_of_names_and_values() {
        assert_eq!(
            parse("CN=db.example.com, o=Example"),
            dn(&[("CN", "DB.example.com"), ("O", "example")])
        );
        assert_eq!(
            parse("OID.2.5.4.3=db+E=ops@example.com;2.5.4.10=Acme"),
            dn(&[
                ("CN", "db"),
                ("EMAILADDRESS", "ops@example.com"),
                ("O", "Acme")
            ])
        );
        assert_eq!(
            parse("GN=Ada, SN=Lovelace, T=Engineer"),
            dn(&[
                ("GIVENNAME", "Ada"),
                ("SN", "Lovelace"),
                ("TITLE", "Engineer")
            ])
        );
    }

    #[test]
    fn typed_dns_read_escapes_including_utf8_bytes() {
        assert_eq!(
            parse("O=Acme\\, Inc,CN=db"),
            dn(&[("CN", "db"), ("O", "Acme, Inc")])
        );
        assert_eq!(parse("CN=a\\2Cb"), dn(&[("CN", "a,b")]));
        assert_eq!(parse("CN=caf\\C3\\A9"), dn(&[("CN", "café")]));
        assert_eq!(parse("CN=x\\ "), dn(&[("CN", "x ")]));
        for bad in ["", "CN", "CN=", "=x", "CN=a\\", "CN=a\\4", "CN=\\C3"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_dn_written_out_reads_back_as_itself() {
        for text in [
            "CN=db.example.com, O=Example",
            "O=Acme\\, Inc, CN=db",
            "CN=\\ lead and trail\\ ",
            "CN=a\\+b\\=c\\;d\\\\e\\<f\\>g\\\"h",
            "CN=\\#hash",
            "CN=café",
        ] {
            let once = parse(text).unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(parse(&to_string(&once)), Some(once.clone()), "{text:?}");
        }
    }
}
